import { expect } from 'chai';
import https from 'node:https';
import type { Socket } from 'node:net';
import { parseMetrics, valueOf } from '../metrics/promText.js';
import {
  backendReview,
  eventually,
  httpGet,
  httpsRequest,
  startTestService,
  type Answer,
  type TestService,
} from '../../support/service.js';

/** A review whose body arrives in two parts: in flight until `finish()` is called. */
function slowReview(port: number, ca: string) {
  const review = backendReview();
  const body = Buffer.from(review.text);
  const half = Math.floor(body.length / 2);
  let finish!: () => void;
  const answer = new Promise<Answer & { uid: unknown }>((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        ca,
        method: 'POST',
        path: '/convert',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            uid: res.statusCode === 200 ? JSON.parse(text).response?.uid : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.write(body.subarray(0, half));
    finish = () => req.end(body.subarray(half));
  });
  return { uid: review.uid, answer, finish: () => finish() };
}

const inFlight = async (t: TestService) =>
  valueOf(parseMetrics((await httpGet(t.service.metricsPort!, '/metrics')).text), 'crdconv_reviews_in_flight');

const refused = (t: TestService) =>
  httpsRequest(t.service.port, t.ca, { body: backendReview().text }).then(
    () => false,
    (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED',
  );

describe('service: graceful shutdown', function () {
  this.timeout(30_000);

  it('fails readiness at once, stops accepting, finishes reviews in flight and closes keep-alive connections', async () => {
    const t = await startTestService({ shutdownGraceMs: 10_000 });
    // An idle keep-alive connection, as the apiserver keeps them.
    const agent = new https.Agent({ keepAlive: true });
    let idleSocket: Socket | undefined;
    const warm = await new Promise<number>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          servername: 'localhost',
          port: t.service.port,
          ca: t.ca,
          method: 'POST',
          path: '/convert',
          agent,
        },
        (res) => {
          idleSocket = res.socket;
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(backendReview().text);
    });
    expect(warm).to.equal(200);
    const idleClosed = new Promise<void>((resolve) => idleSocket!.once('close', () => resolve()));

    const slow = [slowReview(t.service.port, t.ca), slowReview(t.service.port, t.ca), slowReview(t.service.port, t.ca)];
    await eventually(async () => (await inFlight(t)) === 3, 5_000, 'three reviews in flight');

    const stopped = t.service.shutdown('test');
    const ready = await httpGet(t.service.probesPort!, '/readyz');
    expect(ready.status).to.equal(503);
    expect(JSON.parse(ready.text).status).to.equal('shutting down');
    expect((await httpGet(t.service.probesPort!, '/healthz')).status, 'alive while draining').to.equal(200);
    await eventually(() => refused(t), 2_000, 'the listener to refuse new connections');
    await idleClosed; // the keep-alive connection was closed without waiting for the grace

    await new Promise((r) => setTimeout(r, 200));
    for (const s of slow) s.finish();
    const answers = await Promise.all(slow.map((s) => s.answer));
    answers.forEach((a, i) => {
      expect(a.status).to.equal(200);
      expect(a.uid).to.equal(slow[i]!.uid);
      expect(a.headers.connection).to.equal('close');
    });
    const result = await stopped;
    expect(result).to.include({ forced: false, cutRequests: 0, reason: 'test' });
    expect(result.durationMs).to.be.below(5_000);
    await t.logs.flushed();
    expect(t.logs.entries.map((e) => e.msg)).to.include.members([
      'shutting down: readiness fails from now on',
      'shut down',
    ]);
    agent.destroy();
    await t.stop();
  });

  it('cuts what is still open when the grace period ends', async () => {
    const t = await startTestService({ shutdownGraceMs: 300 });
    const stuck = slowReview(t.service.port, t.ca);
    await eventually(async () => (await inFlight(t)) === 1, 5_000, 'a review in flight');
    const started = Date.now();
    const result = await t.service.shutdown('SIGTERM');
    expect(result).to.include({ forced: true, cutRequests: 1 });
    expect(Date.now() - started).to.be.within(250, 3_000);
    const error = await stuck.answer.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error, 'the stuck client was cut').to.be.instanceOf(Error);
    await t.logs.flushed();
    expect(t.logs.entries.some((e) => e.level === 'warn' && /grace period ran out/.test(e.msg ?? ''))).to.equal(true);
    await t.stop();
  });

  it('cuts at once on force() (a second signal)', async () => {
    const t = await startTestService({ shutdownGraceMs: 20_000 });
    const stuck = slowReview(t.service.port, t.ca);
    stuck.answer.catch(() => {});
    await eventually(async () => (await inFlight(t)) === 1, 5_000, 'a review in flight');
    const started = Date.now();
    const stopping = t.service.shutdown('SIGTERM');
    expect(t.service.shutdown('SIGTERM')).to.equal(stopping);
    setTimeout(() => t.service.force(), 100);
    const result = await stopping;
    expect(result.forced).to.equal(true);
    expect(Date.now() - started).to.be.below(3_000);
    await t.stop();
  });

  it('keeps accepting during --shutdown-delay while readiness already fails', async () => {
    const t = await startTestService({ shutdownGraceMs: 5_000, shutdownDelayMs: 400 });
    const stopping = t.service.shutdown('SIGTERM');
    expect((await httpGet(t.service.probesPort!, '/readyz')).status).to.equal(503);
    const during = await httpsRequest(t.service.port, t.ca, { body: backendReview().text });
    expect(during.status).to.equal(200);
    const result = await stopping;
    expect(result.forced).to.equal(false);
    expect(result.durationMs).to.be.below(2_000);
    expect(await refused(t)).to.equal(true);
    await t.stop();
  });
});
