import { apiFailure, describeFailure, isConflict, isNotFound } from './apiErrors.js';
import type { ListedObject, MigrationApi, ResourceTarget } from './kubeApi.js';
import type { Clock } from './rateLimit.js';

export type RewriteOutcome =
  | { readonly outcome: 'rewritten'; readonly conflicts: number }
  | { readonly outcome: 'skipped'; readonly conflicts: number; readonly reason: string }
  | { readonly outcome: 'failed'; readonly conflicts: number; readonly reason: string };

export interface RewriteOptions {
  readonly dryRun: boolean;
  /** Re-reads after a 409 Conflict before the object counts as failed. */
  readonly maxConflictRetries: number;
  /** Waits after a 429 Too Many Requests (the apiserver's priority and fairness). */
  readonly maxThrottleRetries: number;
  readonly clock: Clock;
}

const DELETED = 'deleted during the run';

/**
 * Rewrites one object in the storage version with a no-op write guarded by its resourceVersion.
 * - 409 Conflict: someone wrote it since it was listed. Re-read its resourceVersion and try again
 *   (bounded), as the write must go through at least once after the storage version switched.
 * - 404 Not Found: deleted meanwhile; nothing left to migrate: skipped.
 * - 429: throttled; wait as told and try again (bounded).
 * - anything else (validation, admission webhooks, 5xx): failed, with the apiserver's words.
 */
export async function rewriteObject(
  api: MigrationApi,
  target: ResourceTarget,
  item: ListedObject,
  options: RewriteOptions,
): Promise<RewriteOutcome> {
  let resourceVersion = item.resourceVersion;
  let conflicts = 0;
  let throttled = 0;
  for (;;) {
    try {
      await api.rewriteObject(target, item, resourceVersion, { dryRun: options.dryRun });
      return { outcome: 'rewritten', conflicts };
    } catch (err) {
      const failure = apiFailure(err);
      if (isNotFound(failure)) return { outcome: 'skipped', conflicts, reason: DELETED };
      if (failure.code === 429 && throttled < options.maxThrottleRetries) {
        throttled += 1;
        await options.clock.sleep((failure.retryAfterSeconds ?? 1) * 1000);
        continue;
      }
      if (!isConflict(failure)) return { outcome: 'failed', conflicts, reason: describeFailure(failure) };
      if (conflicts >= options.maxConflictRetries) {
        return {
          outcome: 'failed',
          conflicts,
          reason: `still conflicting after ${conflicts} re-reads: ${failure.message}`,
        };
      }
      conflicts += 1;
    }
    try {
      resourceVersion = await api.readResourceVersion(target, item);
    } catch (err) {
      const failure = apiFailure(err);
      if (isNotFound(failure)) return { outcome: 'skipped', conflicts, reason: DELETED };
      return {
        outcome: 'failed',
        conflicts,
        reason: `re-reading after a conflict failed: ${describeFailure(failure)}`,
      };
    }
  }
}
