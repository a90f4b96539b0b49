import { apiFailure, describeFailure, isExpired, isTransient } from './apiErrors.js';
import type { ListedObject, MigrationApi, ResourceTarget } from './kubeApi.js';
import type { Clock } from './rateLimit.js';

export interface Page {
  readonly items: readonly ListedObject[];
  /** The token this page was fetched with (undefined: the start of a list): resume from here. */
  readonly pageToken: string | undefined;
  /** The token for the next page; undefined on the last page. */
  readonly nextToken: string | undefined;
  readonly remainingItemCount: number | undefined;
}

export interface ListOptions {
  readonly limit: number;
  /** Where to start: a continue token saved by an interrupted run, or undefined. */
  readonly continueToken: string | undefined;
  /** Attempts per page on throttling, server errors and transport errors. */
  readonly maxRetries: number;
  readonly clock: Clock;
  readonly notice: (message: string) => void;
}

/** Exponential backoff from 1 s, capped at 30 s; the server's Retry-After wins. */
export const backoffMs = (attempt: number, retryAfterSeconds: number | undefined): number =>
  retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : Math.min(30_000, 1000 * 2 ** attempt);

/**
 * Every page of the list, in order. An expired continue token (410, after etcd compacted the
 * snapshot the list was reading) is not fatal:
 * - when the 410 carries a continue token, the list goes on with it: it reads the keys after the
 *   last one returned, from the newest snapshot. Nothing that needs rewriting can be missed:
 *   objects before that key were handled, and objects created since are stored in the storage
 *   version already;
 * - otherwise the list restarts from the beginning. The caller skips objects whose key is at or
 *   before the last one it handled (lists come in key order), so a restart costs reads, not writes.
 */
export async function* listPages(
  api: MigrationApi,
  target: ResourceTarget,
  options: ListOptions,
): AsyncGenerator<Page> {
  let token = options.continueToken;
  let attempt = 0;
  let expiries = 0;
  for (;;) {
    let page;
    try {
      page = await api.listObjects(target, { limit: options.limit, continueToken: token });
    } catch (err) {
      const failure = apiFailure(err);
      if (isExpired(failure) && expiries < 10) {
        expiries += 1;
        if (failure.continueToken) {
          options.notice(
            'the continue token expired; going on from the newest snapshot with the token the apiserver offered',
          );
          token = failure.continueToken;
        } else {
          options.notice('the continue token expired; restarting the list and skipping the objects already handled');
          token = undefined;
        }
        continue;
      }
      if (isTransient(failure) && attempt < options.maxRetries) {
        const wait = backoffMs(attempt, failure.retryAfterSeconds);
        attempt += 1;
        options.notice(`listing failed (${describeFailure(failure)}); retrying in ${Math.round(wait / 1000)} s`);
        await options.clock.sleep(wait);
        continue;
      }
      throw new Error(
        `listing ${target.plural}.${target.group}/${target.version} failed: ${describeFailure(failure)}`,
        { cause: err },
      );
    }
    attempt = 0;
    expiries = 0;
    yield {
      items: page.items,
      pageToken: token,
      nextToken: page.continueToken,
      remainingItemCount: page.remainingItemCount,
    };
    if (page.continueToken === undefined) return;
    token = page.continueToken;
  }
}
