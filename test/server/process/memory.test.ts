import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseCases, reviewPayload } from '../../../bench/payloads.js';
import { processTree } from '../../../bench/servers.js';
import { parseMetrics, valueOf } from '../metrics/promText.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { spawnServe } from '../../support/serve.js';
import { backendReview, httpsRequest } from '../../support/service.js';

/**
 * Load test on the real process (`crdconv serve` under `node --max-old-space-size=256`, what a
 * 512Mi container allows): several reviews of about 47 MiB each (16,780 Database objects, under
 * the 64 MiB request limit) at once. Before the memory budget, two of them took the process over
 * 512 MiB and four crashed it ("JavaScript heap out of memory"), losing every review in flight;
 * before slicing, each one blocked the event loop, /healthz included, for seconds.
 *
 * Asserted, with margins for a busy 2-core machine: the process survives; every review is
 * answered (Success with every object) or cleanly refused (429 with Retry-After, to be retried);
 * its peak RSS stays under 512 MiB; /healthz and small reviews keep answering well within the
 * kubelet's 2 s probe timeout while the big ones convert.
 */

/** Peak and current resident set of a process, in bytes (Linux /proc). */
function residentBytes(pid: number): { peak: number; now: number } | undefined {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return undefined;
  const status = readFileSync(file, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

/**
 * The resident set of a process tree (a primary and its workers): the sum of each process's peak,
 * which is at least the tree's real peak (the processes need not peak together).
 */
function treeResidentBytes(pid: number): { peak: number; now: number } | undefined {
  const each = processTree(pid).map(residentBytes);
  if (each.some((r) => r === undefined)) return undefined;
  return {
    peak: each.reduce((sum, r) => sum + r!.peak, 0),
    now: each.reduce((sum, r) => sum + r!.now, 0),
  };
}

/** One review POSTed as the apiserver does, timed from the first byte sent to the last received. */
async function post(port: number, ca: string, body: Buffer | string) {
  const started = performance.now();
  const answer = await httpsRequest(port, ca, { body });
  return { ...answer, ms: performance.now() - started };
}

const MiB = 1024 * 1024;

/** The value under which a share `q` of the samples lie. */
const percentile = (samples: readonly number[], q: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

describe('service: memory and probes under big reviews (load test, real process, 256 MiB heap)', function () {
  this.timeout(600_000);
  let dir: string;
  let big: ReturnType<typeof reviewPayload>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crdconv-memory-'));
    big = reviewPayload('memory', 0, databaseCases(11, 16_780));
    expect(big.body.length).to.be.within(44 * MiB, 50 * MiB);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  // With two conversion threads (what --convert-threads auto gives a 2-CPU pod) and without, in
  // a 512Mi container's heap; and as two worker processes, each with the half of a 1Gi container's
  // heap that the chart gives it (workers: 2), each with a thread.
  for (const { concurrent, threads, workers, heapMiB, limitMiB } of [
    { concurrent: 4, threads: 2, workers: 1, heapMiB: 256, limitMiB: 512 },
    { concurrent: 8, threads: 2, workers: 1, heapMiB: 256, limitMiB: 512 },
    { concurrent: 4, threads: 0, workers: 1, heapMiB: 256, limitMiB: 512 },
    { concurrent: 8, threads: 1, workers: 2, heapMiB: 256, limitMiB: 1024 },
  ] as const) {
    const processes = workers > 1 ? ` on ${workers} worker processes of ${heapMiB} MiB heap each` : '';
    it(`survives ${concurrent} concurrent 47 MiB reviews with ${threads} conversion threads${processes}: each answered or refused with 429, RSS under ${limitMiB} MiB, probes prompt`, async () => {
      const certs = join(dir, `certs-${concurrent}-${threads}-${workers}`);
      const server = await spawnServe(
        certs,
        [
          '--max-wait',
          '20s',
          '--convert-threads',
          String(threads),
          ...(workers > 1 ? ['--workers', String(workers)] : []),
        ],
        [`--max-old-space-size=${heapMiB}`],
      );
      try {
        const ports = await servingPorts(server, workers);
        expect(server.logs.find((l) => l.msg === 'conversion webhook listening')?.convertThreads).to.equal(threads);
        const ca = await readFile(join(certs, 'ca.crt'), 'utf8');
        const pid = server.child.pid!;
        if (workers > 1) expect(processTree(pid).length, 'the primary and its workers').to.equal(1 + workers);
        const startedRss = treeResidentBytes(pid);
        // Probes and small reviews are timed from a process of their own: this one is busy
        // sending and checking 47 MiB bodies, which would delay its own timers.
        const poller = startPoller(ports.probes, server.port, ca, backendReview().text);
        const answers = await Promise.all(Array.from({ length: concurrent }, () => post(server.port, ca, big.body)));
        const { probeMs, smallMs } = await poller.stop();
        const rss = treeResidentBytes(pid);

        expect(server.child.exitCode, 'the process is still running').to.equal(null);
        const statuses = answers.map((a) => a.status);
        for (const answer of answers) {
          expect(answer.status, answer.text.slice(0, 300)).to.be.oneOf([200, 429]);
          if (answer.status === 429) {
            expect(answer.headers['retry-after']).to.equal('1');
            continue;
          }
          const review = JSON.parse(answer.text) as {
            response: { uid: string; result: { status: string }; convertedObjects: Array<{ apiVersion: string }> };
          };
          expect(review.response.uid).to.equal(big.uid);
          expect(review.response.result.status).to.equal('Success');
          expect(review.response.convertedObjects).to.have.length(16_780);
          expect(review.response.convertedObjects[16_779]!.apiVersion).to.equal('platform.example.com/v1');
        }
        expect(statuses.filter((s) => s === 200).length, 'at least one is converted').to.be.at.least(1);

        const maxProbe = Math.max(...probeMs);
        const maxSmall = Math.max(...smallMs);
        const p95Probe = percentile(probeMs, 0.95);
        const p95Small = percentile(smallMs, 0.95);
        const summary = {
          concurrent,
          threads,
          workers,
          statuses,
          peakRssMiB: rss && Math.round(rss.peak / MiB),
          startRssMiB: startedRss && Math.round(startedRss.now / MiB),
          probes: probeMs.length,
          maxProbeMs: Math.round(maxProbe),
          p95ProbeMs: Math.round(p95Probe),
          p95SmallReviewMs: Math.round(p95Small),
          smallReviews: smallMs.length,
          maxSmallReviewMs: Math.round(maxSmall),
          slowestBigMs: Math.round(Math.max(...answers.map((a) => a.ms))),
        };
        const metrics = parseMetrics((await getText(ports.metrics)).text);
        const lag = (name: string) => Math.round((valueOf(metrics, name) ?? NaN) * 1000);
        console.log(
          `      ${JSON.stringify({ ...summary, eventLoopLagMaxMs: lag('nodejs_eventloop_lag_max_seconds'), eventLoopLagP99Ms: lag('nodejs_eventloop_lag_p99_seconds') })}`,
        );
        // The kubelet's liveness probe times out at 2 s (and takes 3 failures in a row to restart).
        // Margins for a shared 2-core machine busy with other builds: nearly every probe well
        // under the timeout, and none reaching it.
        expect(p95Probe, '/healthz latency while big reviews convert, 95th percentile').to.be.below(800);
        expect(maxProbe, '/healthz latency while big reviews convert, slowest').to.be.below(1_800);
        expect(p95Small, 'a small review while big reviews convert, 95th percentile').to.be.below(1_000);
        expect(maxSmall, 'a small review while big reviews convert, slowest').to.be.below(2_500);
        if (rss === undefined) console.log('      (no /proc: resident set size not checked)');
        else expect(rss.peak, 'peak RSS').to.be.below(limitMiB * MiB);

        expect(valueOf(metrics, 'crdconv_inflight_request_bytes')).to.equal(0);
        expect(valueOf(metrics, 'crdconv_reviews_waiting')).to.equal(0);
        expect(
          valueOf(metrics, 'crdconv_conversion_reviews_total', { review_version: 'v1', result: 'Success' }),
        ).to.be.at.least(statuses.filter((s) => s === 200).length);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    });
  }
});

/**
 * Where the probes and the metrics are served: by the process itself, or with workers by the
 * primary (metrics aggregated over the workers), once every worker is ready.
 */
async function servingPorts(server: Awaited<ReturnType<typeof spawnServe>>, workers: number) {
  if (workers === 1) return { probes: server.probesPort, metrics: server.metricsPort };
  const primary = (what: string) => server.logs.find((l) => l.msg === `primary serving ${what}`)?.port as number;
  for (let i = 0; i < 600; i++) {
    const ready = await fetch(`http://127.0.0.1:${primary('probes')}/readyz`).catch(() => undefined);
    if (ready?.status === 200) return { probes: primary('probes'), metrics: primary('metrics') };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the workers did not all become ready');
}

function getText(port: number): Promise<{ text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

/**
 * A separate process that GETs /healthz every 100 ms and POSTs a one-object review every 250 ms,
 * each on a new connection, and prints how long each took.
 */
function startPoller(probesPort: number, port: number, ca: string, smallReview: string) {
  const script = `
    import http from 'node:http';
    import https from 'node:https';
    const [probesPort, port, ca, body] = JSON.parse(process.argv[1]);
    let running = true;
    process.on('SIGTERM', () => { running = false; });
    const time = (request) => new Promise((resolve) => {
      const started = performance.now();
      request((res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      }).on('error', (e) => resolve({ status: 0, ms: performance.now() - started, error: e.message }));
    });
    const loop = async (kind, every, request) => {
      while (running) {
        const r = await time(request);
        process.stdout.write(JSON.stringify({ kind, ...r }) + '\\n');
        await new Promise((resolve) => setTimeout(resolve, every));
      }
    };
    await Promise.all([
      loop('probe', 100, (cb) => http.get({ host: '127.0.0.1', port: probesPort, path: '/healthz', agent: false }, cb)),
      loop('small', 250, (cb) => {
        const req = https.request({ host: '127.0.0.1', servername: 'localhost', port, ca, method: 'POST',
          path: '/convert?timeout=30s', agent: false,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, cb);
        req.end(body);
        return req;
      }),
    ]);
  `;
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify([probesPort, port, ca, smallReview])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const results: Array<{ kind: string; status: number; ms: number; error?: string }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => results.push(JSON.parse(line) as (typeof results)[0]));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      for (const r of results) expect(r.status, `${r.kind}: ${r.error ?? ''}`).to.equal(200);
      return {
        probeMs: results.filter((r) => r.kind === 'probe').map((r) => r.ms),
        smallMs: results.filter((r) => r.kind === 'small').map((r) => r.ms),
      };
    },
  };
}
