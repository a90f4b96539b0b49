/**
 * Conversion threads: `crdconv serve --convert-threads <n|auto>`. A big review (1 MiB and more) is
 * found object by object in the main thread (ReviewSplitter), then its objects are cut into
 * ranges that threads parse, convert and serialize side by side (each thread runs the same
 * ReviewConversion, on the same kinds, loaded in the thread); the main thread puts the parts
 * together in order and writes the answer. The answer is the one the main thread alone would
 * give, byte for byte; what changes is that a pod with several CPUs converts one big review on
 * all of them, and that the main thread stays free for probes and small reviews meanwhile.
 *
 * Small reviews are not sent to threads: a thread hop costs more than converting a few objects.
 *
 * A thread that dies (a converter that throws past the framework cannot kill it, but running out of
 * heap can) answers the range it held with an error, so that review gets a 500 as an exception in
 * process would, and is replaced. A thread that cannot load the kinds is logged and not replaced;
 * with no thread left, big reviews are converted in process as without threads.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RangeAnswer, RangeJob, ThreadData, ThreadHello } from './protocol.js';

export interface ConversionPoolOptions {
  readonly threads: number;
  /** --kinds as the service was given it: each thread loads the kinds itself. */
  readonly kinds: string | undefined;
  readonly log: (level: 'info' | 'warn' | 'error', entry: Record<string, unknown>) => void;
}

type Job = Omit<RangeJob, 'id'>;

interface Waiting {
  readonly job: RangeJob;
  readonly resolve: (answer: RangeAnswer) => void;
}

/** The thread module next to this one, in the form this module runs in (.js built, .ts with tsx). */
const THREAD_MODULE = new URL(`./conversionThread${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * A thread running THREAD_MODULE. From TypeScript sources (tests, `tsx`), the thread first
 * registers tsx itself: on Node 20 loader hooks registered in the main thread do not reach worker
 * threads, not even with the same --import in execArgv.
 */
function startThread(workerData: ThreadData): Worker {
  if (!THREAD_MODULE.pathname.endsWith('.ts')) return new Worker(THREAD_MODULE, { workerData });
  const tsx = pathToFileURL(tsxEsmApi()).href;
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(THREAD_MODULE.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

export class ConversionPool {
  /** The ranges each ready thread holds, oldest first: it answers them in that order. */
  private readonly threads = new Map<Worker, Waiting[]>();
  private readonly queue: Waiting[] = [];
  private nextId = 0;
  private closing = false;
  /** Threads started and not yet ready (or failed). */
  private starting = 0;

  private constructor(private readonly options: ConversionPoolOptions) {}

  /** Starts the threads and waits until each has loaded the kinds or failed to. */
  static async start(options: ConversionPoolOptions): Promise<ConversionPool> {
    const pool = new ConversionPool(options);
    await Promise.all(Array.from({ length: options.threads }, () => pool.spawn()));
    return pool;
  }

  /** Threads ready to convert. */
  get size(): number {
    return this.threads.size;
  }

  /** Convert one range on the next free thread. Never rejects: failures are answers. */
  run(job: Job): Promise<RangeAnswer> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (this.closing || this.threads.size + this.starting === 0) {
        resolve({ id, error: 'no conversion thread is running' });
        return;
      }
      this.queue.push({ job: { ...job, id }, resolve });
      this.dispatch();
    });
  }

  /** Stop every thread; ranges still queued or running are answered with an error. */
  async close(): Promise<void> {
    this.closing = true;
    this.failQueued('the service is shutting down');
    await Promise.all([...this.threads.keys()].map((t) => t.terminate()));
  }

  /**
   * Hand queued ranges to the threads holding the fewest, up to RANGES_PER_THREAD each: a thread
   * finds its next range waiting when it answers one, instead of idling while the main thread
   * reads the answer and sends the next.
   */
  private dispatch(): void {
    while (this.queue.length > 0) {
      let chosen: Worker | undefined;
      let fewest = RANGES_PER_THREAD;
      for (const [thread, held] of this.threads) {
        if (held.length < fewest) {
          chosen = thread;
          fewest = held.length;
        }
      }
      if (chosen === undefined) return;
      const waiting = this.queue.shift()!;
      this.threads.get(chosen)!.push(waiting);
      // The bytes are the range's own copy: handed over, not copied again.
      chosen.postMessage(waiting.job, [waiting.job.bytes.buffer as ArrayBuffer]);
    }
  }

  private failQueued(why: string): void {
    for (const { job, resolve } of this.queue.splice(0)) resolve({ id: job.id, error: why });
  }

  /** Start one thread; resolves once it is ready or has failed to start (logged). */
  private spawn(): Promise<void> {
    const data: ThreadData = { kinds: this.options.kinds };
    const thread = startThread(data);
    this.starting++;
    return new Promise((started) => {
      let ready = false;
      let answered = false;
      thread.on('message', (m: ThreadHello | RangeAnswer) => {
        if (!answered) {
          answered = true;
          this.starting--;
          // Ready threads never keep the process alive (the service decides when it ends); a
          // starting one does, or the service could end while it waits for the threads.
          thread.unref();
          const hello = m as ThreadHello;
          if (hello.ready) {
            ready = true;
            this.threads.set(thread, []);
            this.dispatch();
          } else {
            this.options.log('error', { msg: 'a conversion thread could not load the kinds', error: hello.error });
            void thread.terminate();
            if (this.threads.size + this.starting === 0) this.failQueued('no conversion thread is running');
          }
          started();
          return;
        }
        const waiting = this.threads.get(thread)?.shift();
        if (waiting === undefined) return;
        waiting.resolve(m as RangeAnswer);
        this.dispatch();
      });
      thread.on('error', (e) => {
        // An uncaught error ends the thread ('exit' follows): the ranges it held fail.
        this.options.log('error', { msg: 'a conversion thread failed', error: e.message });
      });
      thread.on('exit', (code) => {
        started();
        if (!ready) {
          if (!answered) this.starting--;
          if (this.threads.size + this.starting === 0) this.failQueued('no conversion thread is running');
          return;
        }
        const held = this.threads.get(thread) ?? [];
        this.threads.delete(thread);
        for (const { job, resolve } of held)
          resolve({ id: job.id, error: `the conversion thread stopped (exit code ${code})` });
        if (this.closing) return;
        this.options.log('warn', { msg: 'a conversion thread stopped; starting another', exitCode: code });
        // Ranges queued meanwhile wait for the new thread (or fail if it cannot start).
        void this.spawn();
      });
    });
  }
}

/** Ranges a thread holds at most: the one it converts and the next. */
const RANGES_PER_THREAD = 2;

/** The ES-module build of tsx's API (its CommonJS build cannot register from a thread). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return join(dirname(manifest), exports['./esm/api']!.import.default);
}

/** How many threads `--convert-threads` asks for: 0 to 64, or `auto`. */
export function parseConvertThreads(value: string, cpus: number): number {
  if (value === 'auto') return autoConvertThreads(cpus);
  const n = /^\d{1,2}$/.test(value) ? Number(value) : NaN;
  if (!(n <= 64)) throw new Error('--convert-threads must be a number from 0 to 64, or auto');
  return n;
}

/**
 * `auto`: one thread per CPU the process may use, when there are at least two (on one CPU a
 * thread only adds a hop), at most 8.
 */
export const autoConvertThreads = (cpus: number): number => (cpus >= 2 ? Math.min(cpus, 8) : 0);
