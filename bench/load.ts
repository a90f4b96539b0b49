/**
 * The measurements themselves: one review on a warm keep-alive connection, timed from the first
 * byte sent to the last byte received; and single-object reviews from many keep-alive clients
 * for a fixed time.
 */
import { Connection, type Answer, type Prepared, type Target } from './client.js';
import { percentileOfSorted, sortedLatencies } from './stats.js';

/** The request, or an error after `ms` (a hung server must not hang the bench). */
export async function requestWithin(conn: Connection, prepared: Prepared, ms: number): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      conn.close();
      reject(new Error(`no answer within ${ms / 1000} s`));
    }, ms);
  });
  try {
    return await Promise.race([conn.request(prepared), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Answers that were not HTTP 200 with the body length known to be right. */
  readonly wrong: number;
  /** CPU the load generator itself used, as a share of one CPU: near 1, it may be the bottleneck. */
  readonly clientCpuShare: number;
}

export interface LoadOptions {
  readonly concurrency: number;
  readonly durationMs: number;
  /** The reviews to cycle through, each with the exact length of its right answer. */
  readonly requests: ReadonlyArray<{ readonly prepared: Prepared; readonly answerBytes: number }>;
}

/**
 * `concurrency` clients on their own keep-alive connections (opened before the clock starts),
 * each sending its next review as soon as the last is answered, until the time is up. A client
 * does not start a review after the deadline; throughput counts every answered review over the
 * time until the last answer.
 */
export async function runLoad(target: Target, options: LoadOptions): Promise<LoadResult> {
  const connections = await Promise.all(Array.from({ length: options.concurrency }, () => Connection.open(target)));
  const latencies: number[] = [];
  let wrong = 0;
  const n = options.requests.length;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + options.durationMs;
  try {
    await Promise.all(
      connections.map(async (conn, k) => {
        for (let i = k; performance.now() < deadline; i += options.concurrency) {
          const { prepared, answerBytes } = options.requests[i % n]!;
          const answer = await requestWithin(conn, prepared, 30_000);
          latencies.push(answer.ms);
          if (answer.status !== 200 || answer.body.length !== answerBytes) wrong++;
        }
      }),
    );
  } finally {
    for (const c of connections) c.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = sortedLatencies(latencies);
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
    wrong,
    clientCpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}
