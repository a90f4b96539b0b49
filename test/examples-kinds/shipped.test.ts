import { expect } from 'chai';
import { loadRegistry, SHIPPED_KINDS_SOURCE } from '../../src/kinds/load.js';

// The example kinds shipped with crdconv are what every command serves when nothing names a
// module (`npm start` serves them). Framework tests never depend on this list; this file does.
describe('the shipped example kinds', () => {
  it('are the default kinds module, and it registers Backend, CronJob and Database', async () => {
    const { registry, source } = await loadRegistry(undefined, { cwd: '/' });
    expect(source).to.equal(SHIPPED_KINDS_SOURCE);
    expect(registry.kinds.map((k) => `${k.def.kind}.${k.def.group}`)).to.have.members([
      'Backend.stable.example.com',
      'CronJob.batch.tutorial.kubebuilder.io',
      'Database.platform.example.com',
    ]);
  });

  it('come from converters/index.ts, which exports them as `kinds`', async () => {
    const shipped = await import('../../converters/index.js');
    const { registry } = await loadRegistry(undefined, { cwd: '/' });
    expect(registry.kinds.map((k) => k.def)).to.deep.equal(shipped.kinds);
  });
});
