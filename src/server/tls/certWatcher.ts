import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { inspectPair, pairDigest, readPair, type ServingCertificate } from './certificate.js';

/** What one look at the files found. */
export type CheckOutcome = 'unchanged' | 'reloaded' | 'rejected';

export interface CertWatcherOptions {
  readonly certFile: string;
  readonly keyFile: string;
  /** The pair being served now (loaded and checked at startup). */
  readonly initial: ServingCertificate;
  /** How often the files' stat is compared, in case a directory event was missed. */
  readonly pollIntervalMs?: number;
  /** Quiet time after a directory event before reading, and before re-reading a broken pair. */
  readonly settleMs?: number;
  /** Watch the directories (default); false leaves only the poll. */
  readonly watchDirectories?: boolean;
  /** A new, valid pair: serve it. */
  readonly onReloaded: (certificate: ServingCertificate) => void;
  /** A changed pair that cannot serve; the previous one stays. Called once per distinct content. */
  readonly onRejected: (error: Error) => void;
  /** Watching a directory failed; polling continues and watching is retried on each poll. */
  readonly onWatchProblem?: (error: Error) => void;
}

export interface CertWatcher {
  current(): ServingCertificate;
  /** Read the files now and reload if they changed (also what the watch and the poll call). */
  check(): Promise<CheckOutcome>;
  close(): void;
}

export const DEFAULT_POLL_INTERVAL_MS = 10_000;
const DEFAULT_SETTLE_MS = 100;

type Attempt = { readonly digest: string } & (
  { readonly ok: true; readonly certificate: ServingCertificate } | { readonly ok: false; readonly error: Error }
);

async function attempt(certFile: string, keyFile: string): Promise<Attempt> {
  try {
    const pair = await readPair(certFile, keyFile);
    const digest = pairDigest(pair);
    try {
      return { digest, ok: true, certificate: inspectPair(pair) };
    } catch (error) {
      return { digest, ok: false, error: error as Error };
    }
  } catch (error) {
    return { digest: `unreadable: ${(error as Error).message}`, ok: false, error: error as Error };
  }
}

/** Identity of the files as stat sees them through symlinks: a kubelet `..data` swap changes it. */
async function statSignature(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map((f) =>
      stat(f).then(
        (s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`,
        (e: NodeJS.ErrnoException) => `missing:${e.code ?? ''}`,
      ),
    ),
  );
  return parts.join('|');
}

/**
 * Keep the serving certificate current. A mounted Secret is updated by an atomic swap of its
 * `..data` symlink, which a watch on the files themselves never sees: the watch is on their
 * directories, and a stat poll backs it up (events can be lost, a directory can be replaced).
 * Each look reads both files and reloads only when the content changed and the pair is usable;
 * a broken pair is reported and the previous certificate keeps serving.
 */
export async function watchCertificate(options: CertWatcherOptions): Promise<CertWatcher> {
  const { certFile, keyFile, onReloaded, onRejected } = options;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const files = [certFile, keyFile];
  const dirs = [...new Set(files.map((f) => dirname(f)))];

  let current = options.initial;
  let currentDigest = pairDigest(current);
  let lastRejected: string | undefined;
  let closed = false;
  let queue: Promise<CheckOutcome> = Promise.resolve('unchanged');
  let settleTimer: NodeJS.Timeout | undefined;
  let lastSignature = await statSignature(files);
  const watchers = new Map<string, FSWatcher>();

  const look = async (): Promise<CheckOutcome> => {
    if (closed) return 'unchanged';
    let seen = await attempt(certFile, keyFile);
    if (!seen.ok && seen.digest !== currentDigest && seen.digest !== lastRejected) {
      // Reading tls.crt and tls.key straddled a swap, or a writer is midway: look again once.
      await delay(settleMs);
      seen = await attempt(certFile, keyFile);
    }
    if (closed) return 'unchanged';
    if (seen.digest === currentDigest) {
      lastRejected = undefined;
      return 'unchanged';
    }
    if (seen.ok) {
      try {
        onReloaded(seen.certificate); // installs it; if that throws, the previous one still serves
      } catch (error) {
        return reject(seen.digest, error as Error);
      }
      current = seen.certificate;
      currentDigest = seen.digest;
      lastRejected = undefined;
      return 'reloaded';
    }
    return reject(seen.digest, seen.error);
  };

  const reject = (digest: string, error: Error): CheckOutcome => {
    if (digest !== lastRejected) {
      lastRejected = digest;
      onRejected(error);
    }
    return 'rejected';
  };

  // Never rejects: the watch and the poll fire and forget.
  const safeLook = () => look().catch((error: Error) => reject(`failed: ${error.message}`, error));

  const check = (): Promise<CheckOutcome> => {
    queue = queue.then(safeLook, safeLook);
    return queue;
  };

  const soon = () => {
    if (closed) return;
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => void check(), settleMs);
    settleTimer.unref();
  };

  const watchDirs = () => {
    if (options.watchDirectories === false) return;
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, soon);
        w.on('error', (e) => {
          w.close();
          watchers.delete(dir);
          options.onWatchProblem?.(e);
        });
        watchers.set(dir, w);
      } catch (e) {
        options.onWatchProblem?.(e as Error);
      }
    }
  };

  const poll = setInterval(() => {
    if (watchers.size < dirs.length) watchDirs(); // retry a watch that failed
    void statSignature(files).then((signature) => {
      if (signature === lastSignature) return;
      lastSignature = signature;
      void check();
    });
  }, pollIntervalMs);
  poll.unref();
  watchDirs();

  return {
    current: () => current,
    check,
    close: () => {
      closed = true;
      clearInterval(poll);
      clearTimeout(settleTimer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
