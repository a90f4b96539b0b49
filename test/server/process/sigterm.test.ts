import { expect } from 'chai';
import https from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMetrics, valueOf } from '../metrics/promText.js';
import { spawnServe } from '../../support/serve.js';
import { backendReview, eventually, httpGet } from '../../support/service.js';

const GRACE_MS = 10_000;

type Outcome = { uid: string; ok: true } | { uid: string; ok: false; error: string };

function review(
  port: number,
  ca: string,
  agent: https.Agent | false,
  parts?: { hold: Promise<void> },
): Promise<Outcome> {
  const r = backendReview();
  const body = Buffer.from(r.text);
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        ca,
        method: 'POST',
        path: '/convert?timeout=30s',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const ok =
            res.statusCode === 200 &&
            (JSON.parse(text) as { response?: { uid?: string; result?: { status?: string } } }).response?.result
              ?.status === 'Success';
          resolve(
            ok ? { uid: r.uid, ok } : { uid: r.uid, ok: false, error: `HTTP ${res.statusCode}: ${text.slice(0, 200)}` },
          );
        });
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ uid: r.uid, ok: false, error: e.code ?? e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ uid: r.uid, ok: false, error: e.code ?? e.message }));
    if (parts) {
      req.write(body.subarray(0, 40));
      void parts.hold.then(() => req.end(body.subarray(40)));
    } else req.end(body);
  });
}

describe('crdconv serve: SIGTERM under load (real process)', function () {
  this.timeout(180_000);
  let devCertDir: string;
  let proc: Awaited<ReturnType<typeof spawnServe>> | undefined;

  before(async () => {
    devCertDir = await mkdtemp(join(tmpdir(), 'crdconv-sigterm-'));
  });
  after(async () => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await rm(devCertDir, { recursive: true, force: true });
  });

  it('drains: readiness 503, in-flight reviews answered, keep-alive closed, exit 0 within the grace', async () => {
    proc = await spawnServe(devCertDir, ['--shutdown-grace', `${GRACE_MS / 1000}s`]);
    const { child, logs, port, probesPort, metricsPort } = proc;
    const ca = await readFile(join(devCertDir, 'ca.crt'), 'utf8');
    expect((await httpGet(probesPort, '/readyz')).status).to.equal(200);

    // Two reviews in flight across the signal: half a body now, the rest after SIGTERM.
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const slow = [review(port, ca, false, { hold }), review(port, ca, false, { hold })];
    await eventually(
      async () =>
        valueOf(parseMetrics((await httpGet(metricsPort, '/metrics')).text), 'crdconv_reviews_in_flight') === 2,
      10_000,
      'two reviews in flight',
    );

    // Load over keep-alive connections, as the apiserver sends it, until the listener refuses.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
    const outcomes: Outcome[] = [];
    let refused = false;
    const worker = async () => {
      while (!refused && outcomes.length < 20_000) {
        const o = await review(port, ca, agent);
        outcomes.push(o);
        if (!o.ok && o.error === 'ECONNREFUSED') refused = true;
      }
    };
    const load = Promise.all([worker(), worker(), worker(), worker()]);
    await eventually(() => outcomes.filter((o) => o.ok).length >= 40, 30_000, 'load before the signal');

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await eventually(
      async () => (await httpGet(probesPort, '/readyz').catch(() => ({ status: 0 }))).status === 503,
      2_000,
      'readiness 503',
    );
    await load; // ends when the listener refuses
    release();
    const slowOutcomes = await Promise.all(slow);
    const exit = await proc.exited;
    agent.destroy();

    expect(
      slowOutcomes.map((o) => o.ok),
      JSON.stringify(slowOutcomes),
    ).to.deep.equal([true, true]);
    expect(exit.code, 'clean exit').to.equal(0);
    expect(exit.at - signalledAt, 'within the grace').to.be.below(GRACE_MS);

    // Every review the server took in (it logs each answered uid) reached its client as a success;
    // the only failures are requests the server never took in (refused, or sent on a closing idle connection).
    const answered = new Set(logs.filter((e) => e.msg === 'review').map((e) => e.uid as string));
    const failed = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
    for (const f of failed) {
      expect(f.error).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up']);
      expect(answered.has(f.uid), `review ${f.uid} was taken in and then lost (${f.error})`).to.equal(false);
    }
    for (const o of [...outcomes, ...slowOutcomes]) if (answered.has(o.uid)) expect(o.ok, o.uid).to.equal(true);
    expect(outcomes.filter((o) => o.ok).length).to.be.at.least(40);

    const done = logs.find((e) => e.msg === 'shut down');
    expect(done, logs.map((e) => e.msg).join(' | ')).to.include({ forced: false, cutRequests: 0, reason: 'SIGTERM' });
    expect(logs.some((e) => e.msg === 'shutting down: readiness fails from now on')).to.equal(true);
  });
});
