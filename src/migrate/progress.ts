import type { RewriteOutcome } from './rewriteObject.js';
import type { MigrationCounts } from './state.js';

export interface ProgressSnapshot {
  readonly counts: MigrationCounts;
  /** Estimated total (objects handled + the apiserver's remainingItemCount), when known. */
  readonly total: number | undefined;
}

/** Where the run tells what it is doing: a bar on a terminal, JSON lines in logs, or nothing. */
export interface ProgressReporter {
  start(
    info: { crd: string; storageVersion: string; dryRun: boolean; resumed: boolean },
    snapshot: ProgressSnapshot,
  ): void;
  object(key: string, result: RewriteOutcome, snapshot: ProgressSnapshot): void;
  page(snapshot: ProgressSnapshot): void;
  notice(message: string): void;
  end(snapshot: ProgressSnapshot): void;
}

export const processed = (c: MigrationCounts): number => c.rewritten + c.skipped + c.failed;

/** One line of progress bar, `width` cells wide; pure. */
export function renderBar(snapshot: ProgressSnapshot, ratePerSecond: number, width = 24): string {
  const { counts, total } = snapshot;
  const done = processed(counts);
  const tail = `${counts.rewritten} rewritten · ${counts.skipped} skipped · ${counts.failed} failed · ${ratePerSecond.toFixed(1)}/s`;
  if (total === undefined || total <= 0) return `${done} objects · ${tail}`;
  const fraction = Math.min(1, done / total);
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${done}/${total} · ${tail}`;
}

/** A progress bar redrawn in place on a terminal (stderr), at most every `intervalMs`. */
export function barReporter(
  stream: NodeJS.WritableStream,
  now: () => number = Date.now,
  intervalMs = 100,
): ProgressReporter {
  let started = now();
  let lastDraw = 0;
  let startCount = 0;
  let drawn = false;
  const rate = (s: ProgressSnapshot) => ((processed(s.counts) - startCount) * 1000) / Math.max(1, now() - started);
  const draw = (s: ProgressSnapshot, force = false) => {
    if (!force && now() - lastDraw < intervalMs) return;
    lastDraw = now();
    stream.write(`\r${renderBar(s, rate(s))}\x1b[K`);
    drawn = true;
  };
  const line = (text: string) => {
    stream.write(`${drawn ? '\r\x1b[K' : ''}${text}\n`);
    drawn = false;
  };
  return {
    start: (info, s) => {
      started = now();
      startCount = processed(s.counts);
      line(
        `${info.dryRun ? 'dry run: ' : ''}rewriting every ${info.crd} in storage version ${info.storageVersion}${info.resumed ? ' (resuming)' : ''}`,
      );
    },
    object: (key, result, s) => {
      if (result.outcome !== 'rewritten') line(`${result.outcome} ${key}: ${result.reason}`);
      draw(s);
    },
    page: (s) => draw(s),
    notice: (message) => line(message),
    end: (s) => {
      draw(s, true);
      stream.write('\n');
      drawn = false;
    },
  };
}

/**
 * Structured progress for logs and CI: one JSON object per line. Objects are named by
 * namespace/name only (their content may hold secrets). Progress lines come after every page and
 * at most every `intervalMs` within one.
 */
export function jsonLinesReporter(
  stream: NodeJS.WritableStream,
  now: () => number = Date.now,
  intervalMs = 5000,
): ProgressReporter {
  let crd = '';
  let lastProgress = now();
  const emit = (event: string, fields: object) =>
    stream.write(`${JSON.stringify({ ts: new Date(now()).toISOString(), event, crd, ...fields })}\n`);
  const progress = (s: ProgressSnapshot) => {
    lastProgress = now();
    emit('progress', {
      ...s.counts,
      processed: processed(s.counts),
      ...(s.total !== undefined ? { total: s.total } : {}),
    });
  };
  return {
    start: (info) => {
      crd = info.crd;
      emit('start', { storageVersion: info.storageVersion, dryRun: info.dryRun, resumed: info.resumed });
    },
    object: (key, result, s) => {
      if (result.outcome !== 'rewritten') emit(result.outcome, { object: key, reason: result.reason });
      if (now() - lastProgress >= intervalMs) progress(s);
    },
    page: progress,
    notice: (message) => emit('notice', { message }),
    end: progress,
  };
}

export const silentReporter = (): ProgressReporter => ({ start() {}, object() {}, page() {}, notice() {}, end() {} });

export type ProgressMode = 'auto' | 'bar' | 'json' | 'none';

/** `auto`: a bar when the stream is a terminal, JSON lines otherwise. */
export function chooseReporter(
  mode: ProgressMode,
  stream: NodeJS.WritableStream & { isTTY?: boolean },
): ProgressReporter {
  const resolved = mode === 'auto' ? (stream.isTTY ? 'bar' : 'json') : mode;
  if (resolved === 'bar') return barReporter(stream);
  if (resolved === 'json') return jsonLinesReporter(stream);
  return silentReporter();
}
