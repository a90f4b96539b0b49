/**
 * Multi-core serving: `crdconv serve --workers <n|auto>`. With more than one worker the process
 * started is a node:cluster primary that converts nothing: it forks the workers, which share the
 * webhook's listening socket (the primary hands connections out in turn), restarts a worker that
 * dies, and serves what must describe the pod as a whole:
 *
 * - `/healthz` and `/readyz` on the probe address: ready once every worker has started (its
 *   webhook listener is up) and while none is missing; 503 from the first moment of a shutdown;
 * - `/metrics` on the metrics address: every worker's registry collected over IPC and aggregated
 *   (prom-client's AggregatorRegistry: counters, histograms and the in-flight gauge summed, process
 *   and Node metrics as prom-client aggregates them, a timestamp gauge such as the certificate's
 *   expiry as the earliest of the workers'), so one scrape sees the whole pod.
 *
 * Workers serve the webhook only: their probe server is off, and their metrics registry is read by
 * the primary (their own metrics listener, which the service insists on, is bound to an ephemeral
 * loopback port nobody scrapes). Memory is bounded per worker by the service's own limits (body
 * size, in-flight budget), so the pod's bound is the number of workers times that.
 *
 * SIGTERM or SIGINT on the primary: readiness fails at once, each worker gets SIGTERM and drains
 * as a single process would; the primary exits when all have, with status 1 if any was cut.
 */
import cluster, { type Worker } from 'node:cluster';
import http from 'node:http';
import { availableCpus } from './cpus.js';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** How many workers `--workers` asks for: a positive integer, or `auto` (the CPUs this process may use). */
export function parseWorkers(value: string): number {
  if (value === 'auto') return availableCpus();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`--workers must be a number from 1 to 256 or auto`);
  return n;
}

/** Whether this process is a worker forked by a crdconv primary. */
export const isWorker = (): boolean => cluster.isWorker && process.env.CRDCONV_WORKER === '1';

interface Address {
  /** Undefined: every interface. */
  readonly host?: string;
  readonly port: number;
}

export interface PrimaryOptions {
  readonly workers: number;
  readonly probes?: Address;
  readonly metrics?: Address;
  readonly log: (level: 'info' | 'warn' | 'error', entry: Record<string, unknown>) => void;
  /** How long workers may drain before the primary kills them (the service's grace plus a margin). */
  readonly graceMs: number;
  /** More environment for the workers (a development certificate made once for all, for one). */
  readonly env?: Readonly<Record<string, string>>;
}

const READY = 'crdconv:worker-ready';
const METRICS_REQUEST = 'crdconv:metrics-request';
const METRICS_ANSWER = 'crdconv:metrics-answer';

type Message = { type?: unknown; id?: unknown; metrics?: unknown; error?: unknown; port?: unknown };

/**
 * Runs the primary: forks the workers and serves probes and aggregated metrics. Resolves with the
 * exit status once a shutdown has finished.
 */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const ready = new Set<number>();
  let stopping = false;
  let cut = false;
  const workers = new Map<number, Worker>();
  let nextRequest = 0;
  const pending = new Map<number, { resolve: (m: unknown[]) => void; reject: (e: Error) => void }>();

  const fork = (slot: number) => {
    const worker = cluster.fork({ ...options.env, CRDCONV_WORKER: '1', CRDCONV_WORKER_SLOT: String(slot) });
    workers.set(slot, worker);
    worker.on('message', (m: Message) => {
      if (m?.type === READY) {
        ready.add(slot);
        options.log('info', { msg: 'worker ready', worker: slot, pid: worker.process.pid, port: m.port });
      } else if (m?.type === METRICS_ANSWER && typeof m.id === 'number') {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (typeof m.error === 'string') p?.reject(new Error(m.error));
        else p?.resolve(m.metrics as unknown[]);
      }
    });
    worker.on('exit', (code, signal) => {
      ready.delete(slot);
      workers.delete(slot);
      if (stopping) {
        if (code !== 0) cut = true;
        return;
      }
      options.log('error', { msg: 'worker died; starting another', worker: slot, code, signal });
      fork(slot);
    });
  };
  for (let slot = 0; slot < options.workers; slot++) fork(slot);

  const askMetrics = (worker: Worker): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      const id = nextRequest++;
      pending.set(id, { resolve, reject });
      worker.send({ type: METRICS_REQUEST, id });
      setTimeout(() => {
        if (pending.delete(id)) reject(new Error(`worker ${worker.id} did not answer the metrics request`));
      }, 5_000).unref();
    });

  const servers: Array<[string, http.Server]> = [];
  if (options.probes) {
    servers.push([
      'probes',
      await listen(options.probes, (req, res) => {
        const path = (req.url ?? '').split('?')[0];
        if (path === '/healthz') return answer(res, 200, 'text/plain', 'ok');
        if (path !== '/readyz') return answer(res, 404, 'text/plain', 'not found');
        const body = {
          status: stopping ? 'shutting down' : ready.size === options.workers ? 'ready' : 'not ready',
          workers: { ready: ready.size, wanted: options.workers },
        };
        return answer(res, body.status === 'ready' ? 200 : 503, 'application/json', JSON.stringify(body));
      }),
    ]);
  }
  if (options.metrics) {
    servers.push([
      'metrics',
      await listen(options.metrics, (req, res) => {
        if ((req.url ?? '').split('?')[0] !== '/metrics') return answer(res, 404, 'text/plain', 'not found');
        Promise.all([...workers.values()].map(askMetrics))
          .then(async (all) => {
            const registry: Registry = AggregatorRegistry.aggregate(
              all.map(withAggregators) as Parameters<typeof AggregatorRegistry.aggregate>[0],
            );
            answer(res, 200, registry.contentType, await registry.metrics());
          })
          .catch((e: unknown) => answer(res, 503, 'text/plain', `metrics unavailable: ${(e as Error).message}`));
      }),
    ]);
  }
  for (const [what, s] of servers) {
    const { port } = s.address() as AddressInfo;
    options.log('info', { msg: `primary serving ${what}`, port, workers: options.workers });
  }

  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        for (const w of workers.values()) w.process.kill('SIGKILL');
        return;
      }
      stopping = true;
      options.log('info', { msg: 'shutdown: stopping every worker', signal });
      for (const w of workers.values()) w.process.kill('SIGTERM');
      setTimeout(() => {
        for (const w of workers.values()) w.process.kill('SIGKILL');
      }, options.graceMs).unref();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    cluster.on('exit', () => {
      if (!stopping || workers.size > 0) return;
      for (const [, s] of servers) s.close();
      resolve(cut ? 1 : 0);
    });
  });
}

/**
 * In a worker: tells the primary when the service is up, and answers its metrics requests with
 * the service's registry.
 */
export function serveAsWorker(registry: Registry | undefined, port: number): void {
  process.send?.({ type: READY, port });
  process.on('message', (m: Message) => {
    if (m?.type !== METRICS_REQUEST) return;
    const reply = (body: Record<string, unknown>) => process.send?.({ type: METRICS_ANSWER, id: m.id, ...body });
    if (!registry) return reply({ metrics: [] });
    registry.getMetricsAsJSON().then(
      (metrics) => reply({ metrics }),
      (e: unknown) => reply({ error: (e as Error).message }),
    );
  });
}

/**
 * How a metric of several workers becomes one: prom-client sums unless the metric says otherwise.
 * A timestamp gauge (the serving certificate's expiry) is the same in every worker but for a
 * moment after a reload: the earliest is the one to alert on, not the sum.
 */
function withAggregators(metrics: unknown[]): unknown[] {
  return metrics.map((m) => {
    const metric = m as { name?: unknown; type?: unknown };
    return metric.type === 'gauge' && typeof metric.name === 'string' && metric.name.endsWith('_timestamp_seconds')
      ? { ...metric, aggregator: 'min' }
      : m;
  });
}

function answer(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function listen(address: Address, handler: http.RequestListener): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler);
    server.once('error', reject);
    server.listen(address.port, address.host || undefined, () => resolve(server));
  });
}
