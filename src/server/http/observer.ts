import type { ObjectOutcome } from '../../review/handleReview.js';

/** How one HTTP request to /convert ended. */
export interface ReviewRecord {
  /** ConversionReview apiVersion, when the body was one. */
  readonly reviewVersion?: string;
  readonly uid?: string;
  /**
   * Success or Failure for answered reviews; BadRequest (400), TooLarge (413), Throttled (429:
   * no room in the memory budget, retried by the apiserver), Error (500: the webhook's fault);
   * ClientAborted: the client went away or was cut for being too slow before its answer was
   * written (logged with status 499), not a server error.
   */
  readonly result: 'Success' | 'Failure' | 'BadRequest' | 'TooLarge' | 'Throttled' | 'ClientAborted' | 'Error';
  readonly httpStatus: number;
  readonly durationSeconds: number;
  readonly requestBytes: number;
  readonly desiredAPIVersion?: string;
  readonly objects: readonly ObjectOutcome[];
  readonly failure?: string;
  /** The connection closed before the answer could be written: the client never received it. */
  readonly connectionClosed?: boolean;
  /** A big review converted on the conversion threads: in how many ranges of its objects. */
  readonly threadRanges?: number;
}

/**
 * What the webhook reports as it works. Logging and metrics are observers: the handler stays a
 * straight line from bytes in to bytes out.
 */
export interface ReviewObserver {
  reviewStarted(): void;
  reviewFinished(record: ReviewRecord): void;
}

export const combineObservers = (...observers: ReviewObserver[]): ReviewObserver => ({
  reviewStarted: () => {
    for (const o of observers) o.reviewStarted();
  },
  reviewFinished: (r) => {
    for (const o of observers) o.reviewFinished(r);
  },
});
