import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonSyntaxError, parseJson } from '../../json/index.js';
import { lineAndColumn } from '../../json/position.js';
import { locateSyntaxError } from '../../json/syntaxError.js';
import type { Registry } from '../../kinds/registry.js';
import {
  handleReview,
  joinParts,
  ReviewConversion,
  type ObjectOutcome,
  type ReviewOutcome,
  type ReviewPart,
} from '../../review/handleReview.js';
import {
  encodeResponseParts,
  readReview,
  responseFrame,
  type ConversionRequest,
  type ConversionResponse,
} from '../../review/review.js';
import { ReviewSplitter } from '../../review/splitReview.js';
import { MemoryBudget, type Grant, type Refusal } from './memoryBudget.js';
import type { ReviewObserver, ReviewRecord } from './observer.js';
import { BodyTooLarge, declaredLength, readBody } from './readBody.js';
import { perTurn } from './turnBatch.js';
import type { ConversionPool } from '../threads/conversionPool.js';
import type { RangeAnswer } from '../threads/protocol.js';
import { THREAD_MIN_OBJECTS, ThreadedConversion } from '../threads/threadedConversion.js';

export interface ConvertHandlerOptions {
  readonly registry: Registry;
  readonly observer: ReviewObserver;
  /** Largest accepted request body; the apiserver can put a whole LIST in one review. */
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

/** Seconds a client refused for want of room is told to wait (the apiserver retries a 429 with it). */
export const RETRY_AFTER_SECONDS = 1;

/**
 * POST /convert: bytes in, ConversionReview out. Dispatched straight from node:http (express's
 * router costs more than the whole conversion of a small review); everything else on the port
 * goes to express.
 *
 * Each review first takes its declared size from the memory budget (waiting, unread, when there
 * is no room), then is read. Reviews under sliceFromBytes are answered at the end of the
 * event-loop turn that read them, together (see turnBatch): first every answer is computed, then
 * every answer is sent, then every review is reported to the observers. Bigger ones are converted
 * in slices, one review after the other, the event loop free between slices (SlicedReviews).
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

/** A review whose body is in, and later its answer. */
interface PendingReview {
  readonly res: ServerResponse;
  /** The body; emptied once taken, so that a batch does not hold every body to its end. */
  body: Buffer;
  readonly started: bigint;
  readonly record: Mutable<ReviewRecord>;
  reply: Reply | undefined;
}

interface Reply {
  readonly status: number;
  readonly body: string | readonly string[];
  /** A big answer, written piece by piece as the client takes it (see streamAnswer). */
  readonly stream?: { readonly response: ConversionResponse; readonly convertedBytes: number };
  /** Close the connection after the answer (the rest of a refused body is not read). */
  readonly close?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

const EMPTY = Buffer.alloc(0);
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

/** Send the replies of reviews[from, to), then report each to the observers. */
function deliver(observer: ReviewObserver, reviews: readonly PendingReview[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const { res, reply, record, started } = reviews[i]!;
    if (reply!.close) res.setHeader('Connection', 'close');
    if (reply!.headers) for (const [name, value] of Object.entries(reply!.headers)) res.setHeader(name, value);
    if (!send(res, reply!.status, reply!.body)) {
      clientAborted(record, 'the connection closed before the answer could be written');
    }
    record.durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  }
  for (let i = from; i < to; i++) observer.reviewFinished(reviews[i]!.record);
}

/** Report a review that gets no answer written (its connection is gone). */
function finish(observer: ReviewObserver, review: PendingReview): void {
  review.record.durationSeconds = Number(process.hrtime.bigint() - review.started) / 1e9;
  observer.reviewFinished(review.record);
}

/** The answer to a review whose body could not be read: the client went away or was too slow. */
function unread(record: Mutable<ReviewRecord>, error: Error): Reply {
  clientAborted(record, error.message);
  return { status: 400, body: errorBody(error.message), close: true };
}

function tooLarge(record: Mutable<ReviewRecord>, message: string): Reply {
  refuse(record, 'TooLarge', 413, message);
  return { status: 413, body: errorBody(message), close: true };
}

function throttled(record: Mutable<ReviewRecord>, why: Refusal): Reply {
  const message =
    why === 'QueueFull'
      ? 'too many reviews are waiting for memory; retry'
      : 'the review waited too long for memory; retry';
  refuse(record, 'Throttled', 429, message);
  return {
    status: 429,
    body: errorBody(message),
    close: true,
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  };
}

/**
 * The client is gone: nothing reached it. Not a server error (it would page someone for a client's
 * fault); 499 is nginx's "client closed request", only ever logged.
 */
function clientAborted(record: Mutable<ReviewRecord>, why: string): void {
  record.result = 'ClientAborted';
  record.httpStatus = 499;
  record.connectionClosed = true;
  record.failure = why;
}

/** Parse and convert one review, noting on the record how it went; never throws. */
function replyTo(registry: Registry, text: string, record: Mutable<ReviewRecord>): Reply {
  try {
    return answer(registry, text, record);
  } catch (e) {
    return internalError(record, e);
  }
}

function answer(registry: Registry, text: string, record: Mutable<ReviewRecord>): Reply {
  let body: unknown;
  try {
    body = parseJson(text);
  } catch (e) {
    return malformed(record, e);
  }
  const request = readReview(body);
  if ('error' in request) return badRequest(record, request.error);
  return answered(record, request, handleReview(registry, request));
}

/** A body that is not JSON; anything else thrown is the webhook's own fault. */
function malformed(record: Mutable<ReviewRecord>, e: unknown): Reply {
  if (!(e instanceof JsonSyntaxError) && !(e instanceof RangeError)) throw e;
  return badRequest(record, `malformed JSON: ${e.message}`);
}

function answered(
  record: Mutable<ReviewRecord>,
  request: { reviewVersion: string; uid: string; desiredAPIVersion: unknown },
  outcome: ReviewOutcome,
  /** UTF-8 bytes of the converted objects, to stream the answer; the answer is built whole without. */
  convertedBytes?: number,
): Reply {
  record.reviewVersion = request.reviewVersion;
  record.uid = request.uid;
  record.result = outcome.response.result.status;
  record.httpStatus = 200;
  record.objects = outcome.objects;
  if (typeof request.desiredAPIVersion === 'string') record.desiredAPIVersion = request.desiredAPIVersion;
  if (outcome.failure !== undefined) record.failure = outcome.failure;
  if (convertedBytes !== undefined && outcome.response.result.status === 'Success')
    return { status: 200, body: '', stream: { response: outcome.response, convertedBytes } };
  return { status: 200, body: encodeResponseParts(outcome.response) };
}

function badRequest(record: Mutable<ReviewRecord>, message: string): Reply {
  refuse(record, 'BadRequest', 400, message);
  return { status: 400, body: errorBody(message) };
}

function internalError(record: Mutable<ReviewRecord>, e: unknown): Reply {
  refuse(record, 'Error', 500, (e as Error)?.message ?? String(e));
  return { status: 500, body: errorBody('internal error while converting; see the webhook log') };
}

function refuse(
  record: Mutable<ReviewRecord>,
  result: ReviewRecord['result'],
  httpStatus: number,
  failure: string,
): void {
  record.result = result;
  record.httpStatus = httpStatus;
  record.failure = failure;
}

/**
 * Big reviews, converted in slices of at most sliceMs, one review after the other (the oldest
 * first: it frees its memory soonest), with the event loop free between slices: probes, small
 * reviews and the reading of other requests go on while a 50 MB review converts. The body is
 * never parsed whole: its objects are found in the bytes (ReviewSplitter), then parsed and
 * converted one by one, so the parsed list is never held either.
 */
class SlicedReviews {
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
    const parts: ReviewPart[] = [];
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
      convertedBytes += answer.part.convertedBytes;
    }
    return answered(review.record, request, joinParts(request, total, parts), convertedBytes);
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
    streamAnswer(review.res, reply.stream.response, reply.stream.convertedBytes, (written) => {
      if (!written) clientAborted(review.record, 'the connection closed before the whole answer was written');
      finish(observer, review);
    });
  }
}

/** Objects per piece of a streamed answer: a few hundred kilobytes. */
const OBJECTS_PER_PIECE = 256;

/**
 * Write a big Success answer piece by piece, each piece (a few hundred objects) built when the
 * connection has taken the one before ('drain'): the event loop is free between pieces, the
 * socket never holds more than a piece, and each converted object is let go once written.
 * `done(true)` once all is handed to the socket, `done(false)` if the connection closed first.
 */
function streamAnswer(
  res: ServerResponse,
  response: ConversionResponse,
  convertedBytes: number,
  done: (written: boolean) => void,
): void {
  const { head, tail } = responseFrame(response);
  // The review owns its converted objects by now: each is let go once written.
  const objects = response.convertedObjects as string[];
  const n = objects.length;
  const length = Buffer.byteLength(head) + convertedBytes + Math.max(0, n - 1) + Buffer.byteLength(tail);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': length });
  let next = 0;
  let settled = false;
  const settle = (written: boolean) => {
    if (settled) return;
    settled = true;
    res.off('drain', write);
    done(written);
  };
  res.once('close', () => settle(false));
  const write = (): void => {
    for (;;) {
      if (res.destroyed) return settle(false);
      const end = Math.min(n, next + OBJECTS_PER_PIECE);
      let piece = next === 0 ? head : ',';
      piece += objects.slice(next, end).join(',');
      objects.fill('', next, end);
      next = end;
      if (next >= n) {
        res.end(piece + tail, () => settle(true));
        return;
      }
      if (!res.write(piece)) {
        res.once('drain', write);
        return;
      }
    }
  };
  write();
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const NO_OBJECTS: readonly ObjectOutcome[] = Object.freeze([]);

/** Write the answer; false when the connection is already closed (the client went away, or was cut). */
function send(res: ServerResponse, status: number, body: string | readonly string[]): boolean {
  if (res.destroyed) return false;
  if (res.headersSent) return true;
  const parts = typeof body === 'string' ? [body] : body;
  let length = 0;
  for (const part of parts) length += Buffer.byteLength(part);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': length });
  if (parts.length === 1) {
    res.end(parts[0]);
    return true;
  }
  res.cork();
  for (const part of parts) res.write(part);
  res.end();
  res.uncork();
  return true;
}

const errorBody = (message: string): string => JSON.stringify({ error: message });

export function sendError(res: ServerResponse, status: number, message: string): void {
  void send(res, status, errorBody(message));
}
