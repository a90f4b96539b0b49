import { expect } from 'chai';
import https from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringifyJson } from '../../../src/json/index.js';
import { acceptAnswer, buildReview } from '../../support/apiserver.js';
import { databaseV1alpha1 } from '../../support/objects.js';
import { spawnServe } from '../../support/serve.js';

/**
 * The apiserver sends its next review on a keep-alive connection as soon as it has read the last
 * answer. With answers written at the end of an event-loop turn, node:http may still count the
 * last answer as being flushed when the next request comes in, and pause the connection's parser;
 * read natively, the parser then fails the request's later TLS records (HPE_PAUSED) and node drops
 * the connection (see readThroughStream in src/server/http/webhookServer.ts). It takes a server in its
 * own process (in one process, the client cannot answer within the same turn) and bodies and
 * answers over 16 KiB (two TLS records; an answer node must flush in pieces).
 */
describe('crdconv serve: back-to-back reviews on one keep-alive connection (real process)', function () {
  this.timeout(120_000);
  let devCertDir: string;
  let proc: Awaited<ReturnType<typeof spawnServe>> | undefined;

  before(async () => {
    devCertDir = await mkdtemp(join(tmpdir(), 'crdconv-keepalive-'));
    proc = await spawnServe(devCertDir);
  });
  after(async () => {
    if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await rm(devCertDir, { recursive: true, force: true });
  });

  it('answers every review, over 16 KiB each way, without dropping the connection', async () => {
    const ca = await readFile(join(devCertDir, 'ca.crt'), 'utf8');
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const padding = 'x'.repeat(2048);
    const objects = Array.from({ length: 12 }, (_, i) =>
      databaseV1alpha1(`db-${i}`, { image: `registry:5000/postgres:16.${i}-${padding}` }),
    );
    const sent = buildReview(objects, 'platform.example.com/v1');
    const body = Buffer.from(stringifyJson(sent.body));
    expect(body.length).to.be.greaterThan(16 * 1024);

    const failures: string[] = [];
    const sockets = new Set<unknown>();
    let answerBytes = 0;
    for (let i = 0; i < 300; i++) {
      const outcome = await new Promise<{ status: number; text: string } | Error>((resolve) => {
        const req = https.request(
          {
            host: '127.0.0.1',
            servername: 'localhost',
            port: proc!.port,
            ca,
            agent,
            method: 'POST',
            path: '/convert?timeout=30s',
            headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
          },
        );
        req.on('socket', (s) => sockets.add(s));
        req.on('error', resolve);
        req.end(body);
      });
      if (outcome instanceof Error) {
        failures.push(`review ${i}: ${(outcome as NodeJS.ErrnoException).code ?? outcome.message}`);
        continue;
      }
      answerBytes = Buffer.byteLength(outcome.text);
      expect(acceptAnswer(sent, outcome.status, outcome.text)).to.have.length(12);
    }
    agent.destroy();
    expect(failures, failures.slice(0, 5).join('; ')).to.deep.equal([]);
    expect(answerBytes).to.be.greaterThan(16 * 1024);
    expect(sockets.size, 'one connection for every review').to.equal(1);
    expect(
      proc!.logs.filter((l) => l.msg === 'review' && l.level !== 'info'),
      'reviews logged as failed',
    ).to.deep.equal([]);
  });
});
