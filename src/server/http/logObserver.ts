import { logEntry, type Logger } from '../../log.js';
import type { ReviewObserver, ReviewRecord } from './observer.js';

/**
 * One log line per review at info: uid, kinds, versions, counts, duration, result and why it
 * failed. Objects are named (kind namespace/name) only at debug and in failure messages; their
 * content is never logged.
 */
export function logObserver(logger: Logger): ReviewObserver {
  return {
    reviewStarted: () => {},
    reviewFinished: (r) => {
      const level = r.result === 'Success' && !r.connectionClosed ? 'info' : 'warn';
      logEntry(logger, level, reviewEntry(r));
      for (const o of r.objects) {
        if (o.stashProblem)
          logger.warn({ msg: 'malformed stash ignored', object: o.object, kind: o.kind, reason: o.stashProblem });
      }
      if (logger.isLevelEnabled('debug')) {
        for (const o of r.objects)
          logger.debug({
            msg: 'object',
            uid: r.uid,
            object: o.object,
            from: o.from,
            to: o.to,
            ok: o.ok,
            stash: o.stash,
            reason: o.reason,
          });
      }
    },
  };
}

/**
 * The line for one review. `message`, not `msg`: this line is written for every review, and
 * winston takes a `message` field as it is, without the flattening step.
 */
function reviewEntry(r: ReviewRecord): Record<string, unknown> {
  const kinds = new Distinct();
  const from = new Distinct();
  let stash = 0;
  for (const o of r.objects) {
    kinds.add(o.kind);
    if (o.from) from.add(o.from);
    if (o.stash !== 'none') stash++;
  }
  const entry: Record<string, unknown> = {
    message: 'review',
    uid: r.uid,
    reviewVersion: r.reviewVersion,
    result: r.result,
    status: r.httpStatus,
    kinds: kinds.values,
    from: from.values,
    to: r.desiredAPIVersion,
    objects: r.objects.length,
    stashTouched: stash,
    durationMs: Math.round(r.durationSeconds * 1e6) / 1e3,
    bytes: r.requestBytes,
  };
  if (r.failure !== undefined) entry.failure = r.failure;
  if (r.connectionClosed) entry.connectionClosed = true;
  if (r.threadRanges !== undefined) entry.threadRanges = r.threadRanges;
  return entry;
}

/**
 * The distinct strings of a review, in the order first seen. A review holds one kind and a version
 * or two, and for those a list search beats building a set; but a client can send 160,000 objects
 * of distinct kinds, and searching a list for each is quadratic (25 s). Past a few values, a set
 * takes over: linear whatever comes. (The log line itself lists only the first few, see log.ts.)
 */
class Distinct {
  readonly values: string[] = [];
  private set: Set<string> | undefined;

  add(value: string): void {
    if (this.set !== undefined) {
      if (this.set.has(value)) return;
      this.set.add(value);
    } else {
      if (this.values.includes(value)) return;
      if (this.values.length === LIST_SEARCH_UP_TO) this.set = new Set([...this.values, value]);
    }
    this.values.push(value);
  }
}

const LIST_SEARCH_UP_TO = 8;
