import { logEntry, type Logger } from '../log.js';
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
  const kinds: string[] = [];
  const from: string[] = [];
  let stash = 0;
  for (const o of r.objects) {
    // A review holds one kind and a version or two: a list search beats building sets.
    if (!kinds.includes(o.kind)) kinds.push(o.kind);
    if (o.from && !from.includes(o.from)) from.push(o.from);
    if (o.stash !== 'none') stash++;
  }
  const entry: Record<string, unknown> = {
    message: 'review',
    uid: r.uid,
    reviewVersion: r.reviewVersion,
    result: r.result,
    status: r.httpStatus,
    kinds,
    from,
    to: r.desiredAPIVersion,
    objects: r.objects.length,
    stashTouched: stash,
    durationMs: Math.round(r.durationSeconds * 1e6) / 1e3,
    bytes: r.requestBytes,
  };
  if (r.failure !== undefined) entry.failure = r.failure;
  if (r.connectionClosed) entry.connectionClosed = true;
  return entry;
}
