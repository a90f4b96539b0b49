import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../../kinds/registry.js';
import type { ConversionPool } from '../threads/conversionPool.js';
import { SlicedReviews } from './bigReviews.js';
import { MemoryBudget, type Grant } from './memoryBudget.js';
import type { ReviewObserver, ReviewRecord } from './observer.js';
import { BodyTooLarge, declaredLength, readBody } from './readBody.js';
import {
  clientAborted,
  deliver,
  EMPTY,
  finish,
  NO_OBJECTS,
  replyTo,
  sendError,
  throttled,
  tooLarge,
  unread,
  type Mutable,
  type PendingReview,
} from './replies.js';
import { perTurn } from './turnBatch.js';

export interface ConvertHandlerOptions {
  readonly registry: Registry;
  readonly observer: ReviewObserver;
  /** Largest accepted request body; a client can batch many objects in one review. */
  readonly maxRequestBytes: number;
  /**
   * Within one turn's batch, answers are sent once the bodies they answer add up to this much, so
   * that a turn that reads several big reviews does not hold all their answers at once.
   */
  readonly sendAfterBytes?: number;
  /** Bytes in flight, bounded; unbounded when absent. */
  readonly budget?: MemoryBudget;
  /** Bodies of this size or more are converted in slices (see SlicedReviews). */
  readonly sliceFromBytes?: number;
  /** The longest a slice of conversion runs before the event loop gets a turn. */
  readonly sliceMs?: number;
  /** Conversion threads for big reviews (see threads/conversionPool.ts); in process without. */
  readonly pool?: ConversionPool;
}

export const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SEND_AFTER_BYTES = 1024 * 1024;
export const DEFAULT_SLICE_FROM_BYTES = 1024 * 1024;
export const DEFAULT_SLICE_MS = 10;

export { RETRY_AFTER_SECONDS, sendError } from './replies.js';

/**
 * POST /convert: bytes in, ConversionReview out. Dispatched straight from node:http (express's
 * router costs more than the whole conversion of a small review); everything else on the port
 * goes to express.
 *
 * Each review first takes its declared size from the memory budget (waiting, unread, when there
 * is no room), then is read. Reviews under sliceFromBytes are answered at the end of the
 * event-loop turn that read them, together (see turnBatch): first every answer is computed, then
 * every answer is sent, then every review is reported to the observers. Bigger ones go to
 * bigReviews.ts: found object by object in their bytes, converted in slices with the event loop
 * free between them, or on the conversion threads. The replies themselves are in replies.ts.
 */
export function createConvertHandler(options: ConvertHandlerOptions) {
  const {
    registry,
    observer,
    maxRequestBytes,
    sendAfterBytes = DEFAULT_SEND_AFTER_BYTES,
    sliceFromBytes = DEFAULT_SLICE_FROM_BYTES,
    sliceMs = DEFAULT_SLICE_MS,
  } = options;
  const budget =
    options.budget ?? new MemoryBudget({ maxBytes: Infinity, maxWaiting: Infinity, maxWaitMs: 2 ** 31 - 1 });
  const answerInTurn = perTurn<PendingReview>((reviews) => answerAll(registry, observer, sendAfterBytes, reviews));
  const sliced = new SlicedReviews(registry, observer, sliceMs, options.pool);

  return function convert(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, 405, `${req.method} is not allowed on /convert; the apiserver POSTs a ConversionReview`);
      return;
    }
    const started = process.hrtime.bigint();
    observer.reviewStarted();
    // One mutable record, filled in as the request goes and handed to the observers once: object
    // spreads that add properties take a slow path in V8, and this runs for every review.
    const record: Mutable<ReviewRecord> = {
      result: 'Error',
      httpStatus: 500,
      durationSeconds: 0,
      requestBytes: 0,
      objects: NO_OBJECTS,
    };
    const review: PendingReview = { res, body: EMPTY, started, record, reply: undefined };
    const declared = declaredLength(req);
    if (declared !== undefined && declared > maxRequestBytes) {
      review.reply = tooLarge(record, new BodyTooLarge(maxRequestBytes).message);
      deliver(observer, [review], 0, 1);
      return;
    }
    // Without a Content-Length (chunked), the most it can be.
    const cost = declared ?? Math.min(maxRequestBytes, budget.maxBytes);
    if (!budget.fits(cost)) {
      review.reply = tooLarge(
        record,
        `the request body of ${cost} bytes exceeds the memory budget for reviews in flight (${budget.maxBytes} bytes, --max-inflight-bytes; it follows the heap limit)`,
      );
      deliver(observer, [review], 0, 1);
      return;
    }
    let grant: Grant | undefined;
    let finished = false;
    const ticket = budget.request(
      cost,
      (granted) => {
        grant = granted;
        if (finished) {
          granted.release();
          return;
        }
        read(granted);
      },
      (why) => {
        review.reply = throttled(record, why);
        deliver(observer, [review], 0, 1);
      },
    );
    res.once('close', () => {
      finished = true;
      ticket.cancel();
      grant?.release();
      if (review.reply === undefined && grant === undefined) {
        // Gone while waiting for room.
        clientAborted(record, 'the client closed the connection while its review waited for room');
        finish(observer, review);
      }
    });

    function read(granted: Grant): void {
      // Expect: 100-continue: the body is asked for only once there is room for it.
      if (EXPECTS_CONTINUE.test(req.headers.expect ?? '') && !res.headersSent) res.writeContinue();
      // A big body (the apiserver always says how big) is split as it arrives when threads can
      // start on its first objects before its last ones are in.
      const early = declared !== undefined && declared >= sliceFromBytes ? sliced.arriving(review) : undefined;
      readBody(
        req,
        maxRequestBytes,
        (error, body, bytes) => {
          record.requestBytes = bytes;
          if (error !== undefined) {
            early?.abandon();
            review.reply = error instanceof BodyTooLarge ? tooLarge(record, error.message) : unread(record, error);
            deliver(observer, [review], 0, 1);
            return;
          }
          granted.shrink(bytes);
          review.body = body;
          if (bytes < sliceFromBytes) {
            early?.abandon();
            answerInTurn(review);
          } else sliced.add(review, early);
        },
        early && ((into, received) => early.receive(into, received)),
      );
    }
  };
}

const EXPECTS_CONTINUE = /^100-continue$/i;

/** Answer the reviews read in one turn. */
function answerAll(
  registry: Registry,
  observer: ReviewObserver,
  sendAfterBytes: number,
  reviews: readonly PendingReview[],
): void {
  let first = 0;
  let bytes = 0;
  for (let i = 0; i < reviews.length; i++) {
    const review = reviews[i]!;
    const text = review.body.toString('utf8');
    review.body = EMPTY;
    review.reply = replyTo(registry, text, review.record);
    bytes += review.record.requestBytes;
    if (bytes >= sendAfterBytes || i === reviews.length - 1) {
      deliver(observer, reviews, first, i + 1);
      first = i + 1;
      bytes = 0;
    }
  }
}
