import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../bench/servers.js';
import { createDevCertificates } from '../../src/server/tls/devCert.js';

describe('bench servers: what a failed run says about them', function () {
  this.timeout(60_000);
  const workDir = mkdtempSync(join(tmpdir(), 'bench-servers-'));
  after(() => rmSync(workDir, { recursive: true, force: true }));

  it('says whether the server runs, how it ended and what it logged last', async () => {
    const certDir = join(workDir, 'certs');
    await createDevCertificates(certDir);
    const floor = await startServer('floor', { mode: 'tsx', root: process.cwd(), certDir, workDir });
    try {
      expect(floor.describe()).to.match(
        new RegExp(`^floor \\(pid ${floor.pid}\\) is running; its log \\(.*floor\\.log\\) ends with:\\n`),
      );
      expect(floor.describe()).to.contain('listening');
      process.kill(floor.pid, 'SIGKILL');
      await floor.stop();
      expect(floor.alive()).to.equal(false);
      expect(floor.describe())
        .to.match(/^floor \(pid \d+\) exited \(signal SIGKILL\); its log/)
        .and.contain('listening');
    } finally {
      await floor.stop();
    }
  });
});
