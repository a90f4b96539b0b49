/**
 * The messages between the service and its conversion threads (see conversionPool.ts). Plain
 * data only: everything crosses by structured clone.
 */
import type { ReviewPart } from '../../review/handleReview.js';

/** Convert objects [start, end) of a review whose objects the service has already found. */
export interface RangeJob {
  readonly id: number;
  readonly desiredAPIVersion: string;
  /**
   * How many objects the review holds, or while it is still being read a lower bound of at least
   * THREAD_MIN_OBJECTS: a failure message numbers the object when there is more than one.
   */
  readonly total: number;
  readonly start: number;
  readonly end: number;
  /** The bytes of the objects start..end-1, copied out of the body. */
  readonly bytes: Uint8Array;
  /** Start and end offsets of each object in `bytes`, flat: [start0, end0, start1, ...]. */
  readonly spans: Int32Array;
}

/** An object of the range that did not parse: the service reports it as for the whole body. */
export interface RangeSyntaxError {
  /** The object's index within the review. */
  readonly index: number;
  /** 'json' for a JsonSyntaxError (reason and position within the object), 'range' otherwise. */
  readonly type: 'json' | 'range';
  readonly message: string;
  readonly reason: string;
  readonly position: number;
}

export type RangeAnswer =
  /** The range's part of the answer (its converted objects handed over as bytes, not copied). */
  | { readonly id: number; readonly part: ReviewPart }
  | { readonly id: number; readonly syntaxError: RangeSyntaxError }
  /** Anything else thrown: the webhook's own fault (an internal error, as in process). */
  | { readonly id: number; readonly error: string };

/** The first message of a thread: its kinds are loaded (or why they could not be). */
export type ThreadHello = { readonly ready: true } | { readonly ready: false; readonly error: string };

/** What a thread is started with. */
export interface ThreadData {
  /** --kinds, as the service was given it (undefined: config file or shipped examples). */
  readonly kinds: string | undefined;
}
