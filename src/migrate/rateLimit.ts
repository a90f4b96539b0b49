import type { MigrationApi } from './kubeApi.js';

/** Time, injectable so tests need not wait. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A token bucket: `tokens` (may go negative: requests already promised) as of time `at`. */
export interface BucketState {
  readonly tokens: number;
  readonly at: number;
}

/**
 * Takes one token at time `now`: refill at `qps` per second up to `burst`, then spend one. A
 * negative balance is a debt that the caller pays by waiting `waitMs`; later callers queue behind
 * it, so concurrent callers stay within the rate too.
 */
export function reserveToken(
  state: BucketState,
  now: number,
  qps: number,
  burst: number,
): { state: BucketState; waitMs: number } {
  const refilled = Math.min(burst, state.tokens + (Math.max(0, now - state.at) * qps) / 1000);
  const tokens = refilled - 1;
  return { state: { tokens, at: now }, waitMs: tokens < 0 ? (-tokens * 1000) / qps : 0 };
}

export class TokenBucket {
  private state: BucketState;

  constructor(
    readonly qps: number,
    readonly burst: number = Math.max(1, Math.ceil(qps)),
    private readonly clock: Clock = systemClock,
  ) {
    if (!(qps > 0)) throw new Error(`qps must be a positive number, got ${qps}`);
    if (!(burst >= 1)) throw new Error(`burst must be at least 1, got ${burst}`);
    this.state = { tokens: this.burst, at: clock.now() };
  }

  async take(): Promise<void> {
    const { state, waitMs } = reserveToken(this.state, this.clock.now(), this.qps, this.burst);
    this.state = state;
    if (waitMs > 0) await this.clock.sleep(waitMs);
  }
}

/** The same API with every call waiting for a token first. */
export function rateLimited(api: MigrationApi, bucket: { take(): Promise<void> }): MigrationApi {
  const limited =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await bucket.take();
      return fn(...args);
    };
  return {
    readCrd: limited(api.readCrd.bind(api)),
    listObjects: limited(api.listObjects.bind(api)),
    readResourceVersion: limited(api.readResourceVersion.bind(api)),
    rewriteObject: limited(api.rewriteObject.bind(api)),
    setStoredVersions: limited(api.setStoredVersions.bind(api)),
  };
}
