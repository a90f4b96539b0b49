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
      const kinds = [...new Set(r.objects.map((o) => o.kind))];
      const from = [...new Set(r.objects.map((o) => o.from).filter(Boolean))];
      const stash = r.objects.filter((o) => o.stash !== 'none').length;
      const entry = {
        msg: 'review',
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
