import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

describe('roundTripSuite on a registry without kinds', () => {
  it('fails, naming why, instead of passing with nothing tested', function () {
    this.timeout(60_000);
    const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
    const run = spawnSync(
      process.execPath,
      [
        mocha,
        '--no-config',
        '--node-option',
        'import=tsx',
        '--extension',
        'ts',
        join(here, 'fixtures', 'emptyRegistry.suite.ts'),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.status, run.stdout + run.stderr).to.equal(1);
    expect(run.stdout).to.contain('a registry with no kinds: nothing would be tested');
    expect(run.stdout).to.match(/1 failing/);
  });
});
