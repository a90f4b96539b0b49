import type { Logger } from '../log.js';
import type { ReviewObserver } from './observer.js';

/**
 * One log line per review at info: uid, kinds, versions, counts, duration, result and why it
 * failed. Objects are named (kind namespace/name) only at debug and in failure messages; their
 * content is never logged.
 */
export function logObserver(logger: Logger): ReviewObserver {
  return {
    reviewStarted: () => {},
    reviewFinished: (r) => {
      const kinds = new Set<string>();
      const from = new Set<string>();
      let stash = 0;
      for (const o of r.objects) {
        kinds.add(o.kind);
        if (o.from) from.add(o.from);
        if (o.stash !== 'none') stash++;
      }
      // `message`, not `msg`: this line is written for every review, and winston merges a
      // `message` field without the flattening step.
      const entry = {
        message: 'review',
        uid: r.uid,
        reviewVersion: r.reviewVersion,
        result: r.result,
        status: r.httpStatus,
        kinds: [...kinds],
        from: [...from],
        to: r.desiredAPIVersion,
        objects: r.objects.length,
        stashTouched: stash,
        durationMs: Math.round(r.durationSeconds * 1e6) / 1e3,
        bytes: r.requestBytes,
        ...(r.failure !== undefined && { failure: r.failure }),
      };
      if (r.result === 'Success') logger.info(entry);
      else logger.warn(entry);
      for (const o of r.objects) {
        if (o.stashProblem) logger.warn({ msg: 'malformed stash ignored', object: o.object, kind: o.kind, reason: o.stashProblem });
      }
      if (logger.isLevelEnabled('debug')) {
        for (const o of r.objects) logger.debug({ msg: 'object', uid: r.uid, object: o.object, from: o.from, to: o.to, ok: o.ok, stash: o.stash, reason: o.reason });
      }
    },
  };
}
