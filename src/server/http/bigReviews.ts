/**
 * Big reviews (1 MiB and more, a batch of many objects): found object by object in the body's
 * bytes, converted in slices with the event loop free between them, or on the conversion threads,
 * and answered in pieces.
 */
import { JsonSyntaxError, parseJson } from '../../json/index.js';
import { lineAndColumn } from '../../json/position.js';
import { locateSyntaxError } from '../../json/syntaxError.js';
import type { Registry } from '../../kinds/registry.js';
import { joinParts, ReviewConversion, type ReviewPart } from '../../review/handleReview.js';
import { readReview, type ConversionRequest } from '../../review/review.js';
import { ReviewSplitter } from '../../review/splitReview.js';
import type { ConversionPool } from '../threads/conversionPool.js';
import type { RangeAnswer } from '../threads/protocol.js';
import { THREAD_MIN_OBJECTS, ThreadedConversion } from '../threads/threadedConversion.js';
import type { ReviewObserver } from './observer.js';
import {
  answered,
  badRequest,
  clientAborted,
  deliver,
  EMPTY,
  finish,
  internalError,
  malformed,
  replyTo,
  streamAnswer,
  type PendingReview,
  type Reply,
} from './replies.js';

/**
 * Big reviews, converted in slices of at most sliceMs, one review after the other (the oldest
 * first: it frees its memory soonest), with the event loop free between slices: probes, small
 * reviews and the reading of other requests go on while a 50 MB review converts. The body is
 * never parsed whole: its objects are found in the bytes (ReviewSplitter), then parsed and
 * converted one by one, so the parsed list is never held either.
 */
export class SlicedReviews {
  private readonly queue: SlicedReview[] = [];
  private scheduled = false;

  constructor(
    private readonly registry: Registry,
    private readonly observer: ReviewObserver,
    private readonly sliceMs: number,
    readonly pool: ConversionPool | undefined,
  ) {}

  /**
   * A big review whose body is still arriving, when there are conversion threads: its objects are
   * found as the bytes come and go to the threads from the first ranges on. Call `add` with it once
   * the body is in, or `abandon` it if the body never comes whole.
   */
  arriving(review: PendingReview): SlicedReview | undefined {
    return this.pool !== undefined && this.pool.size > 0
      ? new SlicedReview(this.registry, review, this.observer, this.pool)
      : undefined;
  }

  /** A review whose body is in: converted in turn (or, arriving before, finished). */
  add(review: PendingReview, arrived?: SlicedReview): void {
    const job = arrived ?? new SlicedReview(this.registry, review, this.observer, this.pool);
    job.arrived(review.body);
    review.body = EMPTY;
    this.queue.push(job);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(this.runSlice);
  }

  private readonly runSlice = (): void => {
    this.scheduled = false;
    const job = this.queue[0]!;
    const deadline = performance.now() + this.sliceMs;
    let done: boolean | 'threads';
    try {
      done = job.step(deadline);
    } catch (e) {
      job.abandon();
      job.review.reply = internalError(job.review.record, e);
      done = true;
    }
    // A review handed to the threads answers itself when they are done: the next one can start.
    if (done === 'threads') this.queue.shift();
    else if (done) {
      this.queue.shift();
      job.answer();
    }
    this.schedule();
  };
}

/**
 * One big review on its way: split, converted (in slices here, or on the conversion threads),
 * answered. With threads, the split can start while the body arrives (`receive`), and ranges of
 * the objects found go to the threads at once, converted to the desiredAPIVersion first seen in
 * the body; once the body is in and its envelope read, the review's real desiredAPIVersion must be
 * that one, or their work is dropped and the review is converted as if none had been done.
 */
class SlicedReview {
  private splitter: ReviewSplitter | undefined;
  private conversion: ReviewConversion | undefined;
  private request: ConversionRequest | undefined;
  private spans: readonly number[] = [];
  /** The object being parsed (for the position of its error). */
  private taken = 0;
  private body: Buffer = EMPTY;
  private threaded: ThreadedConversion | undefined;
  private gaveUpEarly = false;

  constructor(
    private readonly registry: Registry,
    readonly review: PendingReview,
    private readonly observer: ReviewObserver,
    private readonly pool: ConversionPool | undefined,
  ) {}

  /** More of the body is in `into` (bytes [0, received)): find the objects in it, start ranges. */
  receive(into: Buffer, received: number): void {
    if (this.gaveUpEarly) return;
    try {
      this.receiveOrThrow(into, received);
    } catch {
      // Never expected; but this runs in the socket's data handler, where a throw would take the
      // process down. The review is then split and converted once it is in, as without threads.
      this.gaveUpEarly = true;
      this.abandon();
      this.splitter = undefined;
    }
  }

  private receiveOrThrow(into: Buffer, received: number): void {
    if (this.splitter === undefined) {
      this.body = into;
      this.splitter = new ReviewSplitter(into, received);
    } else this.splitter.receive(received);
    const splitter = this.splitter;
    // Bounded by what has arrived since the last call: a chunk of the socket.
    if (splitter.step(Infinity) !== 'more' || !splitter.waiting) return;
    const found = splitter.found;
    if (this.threaded === undefined) {
      const desired = splitter.desiredAPIVersion;
      if (desired === undefined || found.length / 2 < THREAD_MIN_OBJECTS) return;
      this.threaded = this.startThreads(desired);
    }
    this.threaded.offer(found, false);
  }

  /** The whole body is in. */
  arrived(body: Buffer): void {
    if (this.splitter !== undefined && body === this.body) {
      this.splitter.receive(body.length);
      return;
    }
    // Not the buffer it arrived in (it did not arrive through receive): split it from the start.
    this.abandon();
    this.body = body;
    this.splitter = new ReviewSplitter(body);
  }

  /** Drop the threads' work (the body never came whole, or the review failed otherwise). */
  abandon(): void {
    this.threaded?.abandon();
    this.threaded = undefined;
  }

  /**
   * Work until the deadline; true when the reply is ready (or the client is gone), 'threads' when
   * the objects went to the conversion threads (the review then answers itself).
   */
  step(deadline: number): boolean | 'threads' {
    const { review } = this;
    if (review.res.destroyed) {
      this.abandon();
      clientAborted(review.record, 'the connection closed before the review was converted');
      return true;
    }
    if (this.splitter !== undefined) {
      const layout = this.splitter.step(deadline);
      if (layout === 'more') return false;
      this.splitter = undefined;
      if (layout === undefined) return this.whole();
      let envelope: unknown;
      try {
        envelope = parseJson(layout.envelope);
      } catch {
        return this.whole();
      }
      const request = readReview(envelope);
      if ('error' in request) {
        this.abandon();
        review.reply = badRequest(review.record, request.error);
        return true;
      }
      this.request = request;
      this.spans = layout.spans;
      const body = this.body;
      const spans = layout.spans;
      this.conversion = new ReviewConversion(this.registry, request, {
        length: spans.length / 2,
        take: (i) => {
          this.taken = i;
          return parseJson(body.toString('utf8', spans[2 * i], spans[2 * i + 1]));
        },
      });
      const threadable =
        this.pool !== undefined && this.conversion.refusal === undefined && spans.length / 2 >= THREAD_MIN_OBJECTS;
      // Ranges sent early were converted to the desiredAPIVersion first seen: keep them only if
      // it is the review's.
      if (this.threaded !== undefined && (!threadable || this.threaded.desiredAPIVersion !== request.desiredAPIVersion))
        this.abandon();
      if (threadable && (this.threaded !== undefined || this.pool!.size > 0)) {
        this.threaded ??= this.startThreads(request.desiredAPIVersion as string);
        this.threaded.offer(spans, true);
        return 'threads';
      }
      if (performance.now() >= deadline) return false;
    }
    const conversion = this.conversion!;
    let done: boolean;
    try {
      done = conversion.step(deadline);
    } catch (e) {
      if (!(e instanceof JsonSyntaxError) && !(e instanceof RangeError)) throw e;
      review.reply = malformed(review.record, this.syntaxError(e));
      return true;
    }
    if (!done) return false;
    const outcome = conversion.outcome();
    review.reply = answered(review.record, this.request!, outcome, conversion.convertedBytes);
    this.body = EMPTY;
    return true;
  }

  /** Ranges of the objects to the threads; the review answers once all are back (fromThreads). */
  private startThreads(desiredAPIVersion: string): ThreadedConversion {
    return new ThreadedConversion(this.pool!, this.body, desiredAPIVersion, (answers, total) =>
      this.fromThreads(total, answers),
    );
  }

  /**
   * Every range is back: the parts joined in order (joinParts), or the first range's problem in
   * order (an object that did not parse, an internal error), as converting in order would.
   */
  private fromThreads(total: number, answers: readonly RangeAnswer[]): void {
    const { review } = this;
    if (review.res.destroyed) clientAborted(review.record, 'the connection closed before the review was converted');
    else {
      try {
        review.reply = this.replyFromThreads(this.request!, total, answers);
      } catch (e) {
        review.reply = internalError(review.record, e);
      }
    }
    this.body = EMPTY;
    this.answer();
  }

  private replyFromThreads(request: ConversionRequest, total: number, answers: readonly RangeAnswer[]): Reply {
    const { review } = this;
    review.record.threadRanges = answers.length;
    const parts: ReviewPart[] = [];
    const runs: Uint8Array[] = [];
    let convertedBytes = 0;
    for (const answer of answers) {
      if ('error' in answer) return internalError(review.record, new Error(answer.error));
      if ('syntaxError' in answer) {
        const { index, type, message, reason, position } = answer.syntaxError;
        this.taken = index;
        const e = type === 'json' ? new JsonSyntaxError(reason, position, 0, 0) : new RangeError(message);
        return malformed(review.record, this.syntaxError(e));
      }
      parts.push(answer.part);
      runs.push(answer.part.joined);
      convertedBytes += answer.part.convertedBytes;
    }
    return answered(review.record, request, joinParts(request, total, parts), convertedBytes, runs);
  }

  /** Not a body the splitter can take apart: parse and convert it whole (as a small one). */
  private whole(): boolean {
    this.abandon();
    this.review.reply = replyTo(this.registry, this.body.toString('utf8'), this.review.record);
    return true;
  }

  /**
   * An object did not parse: the error as parsing the whole body reports it (position, line and
   * column in the whole body), found by the validator, which builds no values.
   */
  private syntaxError(e: JsonSyntaxError | RangeError): JsonSyntaxError | RangeError {
    const text = this.body.toString('utf8');
    const found = locateSyntaxError(text);
    if (found !== undefined) {
      const { line, column } = lineAndColumn(text, found.position);
      return new JsonSyntaxError(found.reason, found.position, line, column);
    }
    if (!(e instanceof JsonSyntaxError)) return e;
    // Valid JSON, refused for another reason (an overlong integer): the object's own error, placed.
    const position = this.body.toString('utf8', 0, this.spans[2 * this.taken]).length + e.position;
    const { line, column } = lineAndColumn(text, position);
    return new JsonSyntaxError(e.reason, position, line, column);
  }

  answer(): void {
    const { observer, review } = this;
    this.body = EMPTY;
    const reply = review.reply;
    if (reply === undefined) {
      finish(observer, review);
      return;
    }
    if (reply.stream === undefined || review.res.destroyed) {
      deliver(observer, [review], 0, 1);
      return;
    }
    streamAnswer(review.res, reply.stream, (written) => {
      if (!written) clientAborted(review.record, 'the connection closed before the whole answer was written');
      finish(observer, review);
    });
  }
}
