import type { ObjectOutcome } from '../review/handleReview.js';

/** How one HTTP request to /convert ended. */
export interface ReviewRecord {
  /** ConversionReview apiVersion, when the body was one. */
  readonly reviewVersion?: string;
  readonly uid?: string;
  /** Success or Failure for answered reviews; BadRequest (400), TooLarge (413), Error (500). */
  readonly result: 'Success' | 'Failure' | 'BadRequest' | 'TooLarge' | 'Error';
  readonly httpStatus: number;
  readonly durationSeconds: number;
  readonly requestBytes: number;
  readonly desiredAPIVersion?: string;
  readonly objects: readonly ObjectOutcome[];
  readonly failure?: string;
  /** The connection closed before the answer could be written: the client never received it. */
  readonly connectionClosed?: boolean;
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
