import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { availableCpus } from '../../src/server/cpus.js';
import { parseWorkers } from '../../src/server/workers.js';
import { spawnServe } from '../support/serve.js';

describe('crdconv serve --workers', function () {
  // Three Node processes start through tsx: slow on a busy 2-core machine.
  this.timeout(240_000);

  it('takes a count from 1 to 256, or auto (one per CPU this process may use)', () => {
    expect(parseWorkers('1')).to.equal(1);
    expect(parseWorkers('4')).to.equal(4);
    expect(parseWorkers('auto')).to.equal(availableCpus());
    for (const bad of ['0', '-1', '1.5', 'many', '257']) expect(() => parseWorkers(bad), bad).to.throw(/--workers/);
  });

  it('serves from two workers on one port; the primary answers probes and aggregates metrics; SIGTERM drains all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crdconv-workers-'));
    const serve = await spawnServe(dir, ['--workers', '2']);
    try {
      const primaryPort = (what: string) => serve.logs.find((l) => l.msg === `primary serving ${what}`)?.port as number;
      const get = async (port: number, path: string) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        return { status: res.status, text: await res.text() };
      };
      // Ready once both workers are up.
      let ready = { status: 0, text: '' };
      for (let i = 0; i < 600 && ready.status !== 200; i++) {
        await delay(100);
        ready = await get(primaryPort('probes'), '/readyz');
      }
      expect(ready.status, ready.text).to.equal(200);
      expect(JSON.parse(ready.text)).to.deep.equal({ status: 'ready', workers: { ready: 2, wanted: 2 } });
      const workerPids = serve.logs.filter((l) => l.msg === 'worker ready').map((l) => l.pid as number);
      expect(new Set(workerPids).size).to.equal(2);

      // Reviews on fresh connections go to both workers; every one is answered.
      const ca = readFileSync(join(dir, 'ca.crt'));
      const body = JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        request: {
          uid: 'u',
          desiredAPIVersion: 'stable.example.com/v2',
          objects: [{ apiVersion: 'stable.example.com/v1', kind: 'Backend', metadata: { name: 'a' }, hostPort: 'h:1' }],
        },
      });
      const review = () =>
        new Promise<string>((resolve, reject) => {
          const req = https.request(
            {
              host: '127.0.0.1',
              port: serve.port,
              path: '/convert',
              method: 'POST',
              ca,
              servername: 'localhost',
              agent: false,
            },
            (res) => {
              let text = '';
              res.on('data', (c: Buffer) => (text += c.toString()));
              res.on('end', () => resolve(text));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      const answers = await Promise.all(Array.from({ length: 20 }, review));
      for (const a of answers) expect(JSON.parse(a).response.result.status).to.equal('Success');

      // One scrape of the primary sees the reviews of both workers.
      const metrics = await get(primaryPort('metrics'), '/metrics');
      expect(metrics.status).to.equal(200);
      expect(metrics.text).to.match(/^crdconv_conversion_reviews_total\{review_version="v1",result="Success"\} 20$/m);

      // A worker that dies is replaced, and readiness comes back.
      process.kill(workerPids[0]!, 'SIGKILL');
      let replaced = false;
      for (let i = 0; i < 600 && !replaced; i++) {
        await delay(100);
        replaced =
          serve.logs.filter((l) => l.msg === 'worker ready').length === 3 &&
          (await get(primaryPort('probes'), '/readyz')).status === 200;
      }
      expect(replaced, 'a new worker is ready').to.equal(true);
      expect(serve.logs.some((l) => l.msg === 'worker died; starting another')).to.equal(true);

      // SIGTERM: every worker drains and the primary exits 0.
      serve.child.kill('SIGTERM');
      const { code } = await serve.exited;
      expect(code).to.equal(0);
      const pids = serve.logs.filter((l) => l.msg === 'worker ready').map((l) => l.pid as number);
      for (const pid of pids) expect(() => process.kill(pid, 0), `worker ${pid} still runs`).to.throw(/ESRCH/);
    } finally {
      serve.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
