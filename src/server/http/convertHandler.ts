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
      readBody(req, maxRequestBytes, (error, body, bytes) => {
        record.requestBytes = bytes;
        if (error !== undefined) {
          review.reply = error instanceof BodyTooLarge ? tooLarge(record, error.message) : unread(record, error);
          deliver(observer, [review], 0, 1);
          return;
        }
        granted.shrink(bytes);
        review.body = body;
        if (bytes < sliceFromBytes) answerInTurn(review);
        else sliced.add(review);
      });
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
    private readonly pool: ConversionPool | undefined,
  ) {}

  add(review: PendingReview): void {
    this.queue.push(new SlicedReview(this.registry, review, this.observer, this.pool));
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

/** One big review on its way: split, converted, answered. */
class SlicedReview {
  private splitter: ReviewSplitter | undefined;
  private conversion: ReviewConversion | undefined;
  private request: { reviewVersion: string; uid: string; desiredAPIVersion: unknown } | undefined;
  private spans: readonly number[] = [];
  /** The object being parsed (for the position of its error). */
  private taken = 0;
  private body: Buffer;

  constructor(
    private readonly registry: Registry,
    readonly review: PendingReview,
    private readonly observer: ReviewObserver,
    private readonly pool: ConversionPool | undefined,
  ) {
    this.body = review.body;
    review.body = EMPTY;
    this.splitter = new ReviewSplitter(this.body);
  }

  /**
   * Work until the deadline; true when the reply is ready (or the client is gone), 'threads' when
   * the objects went to the conversion threads (the review then answers itself).
   */
  step(deadline: number): boolean | 'threads' {
    const { review } = this;
    if (review.res.destroyed) {
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
      const pool = this.pool;
      if (
        pool !== undefined &&
        pool.size > 0 &&
        this.conversion.refusal === undefined &&
        spans.length / 2 >= THREAD_MIN_OBJECTS
      ) {
        this.toThreads(pool, request);
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

  /**
   * Cut the objects into ranges of about the same size, hand them to the threads, and answer once
   * every range is back: the parts joined in order (joinParts), or the first range's problem in
   * order (an object that did not parse, an internal error), as converting in order would.
   */
  private toThreads(pool: ConversionPool, request: ConversionRequest): void {
    const { body, spans } = this;
    const total = spans.length / 2;
    const ranges = cutRanges(spans, rangeBytes(body.length, pool.size));
    const count = ranges.length / 2;
    const answers: RangeAnswer[] = new Array(count);
    const { reviewVersion, uid } = request;
    // A string: a review without one is refused before it gets here (ReviewConversion.refusal).
    const desiredAPIVersion = request.desiredAPIVersion as string;
    let next = 0;
    let left = count;
    // Ranges are handed out a few at a time, each copied out of the body when it goes: the copies
    // in flight stay a few megabytes, whatever the size of the review.
    const send = (): void => {
      const k = next++;
      const start = ranges[2 * k]!;
      const end = ranges[2 * k + 1]!;
      const from = spans[2 * start]!;
      const to = spans[2 * end - 1]!;
      // The range's own copy, handed over to the thread without another copy.
      const bytes = new Uint8Array(to - from);
      bytes.set(body.subarray(from, to));
      const offsets = new Int32Array(2 * (end - start));
      for (let i = 0; i < offsets.length; i++) offsets[i] = spans[2 * start + i]! - from;
      void pool
        .run({ reviewVersion, uid, desiredAPIVersion, total, start, end, bytes, spans: offsets })
        .then((answer) => {
          answers[k] = answer;
          if (next < count) send();
          if (--left === 0) this.fromThreads(request, total, answers);
        });
    };
    for (let k = 0; k < Math.min(count, RANGES_IN_FLIGHT_PER_THREAD * pool.size); k++) send();
  }

  private fromThreads(request: ConversionRequest, total: number, answers: readonly RangeAnswer[]): void {
    const { review } = this;
    if (review.res.destroyed) clientAborted(review.record, 'the connection closed before the review was converted');
    else {
      try {
        review.reply = this.replyFromThreads(request, total, answers);
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

/** Reviews of fewer objects are converted in process: a hop to a thread costs more. */
export const THREAD_MIN_OBJECTS = 64;
/** Bytes of objects per range handed to a thread: enough ranges to share out, none too big. */
const MIN_RANGE_BYTES = 64 * 1024;
const MAX_RANGE_BYTES = 1024 * 1024;
/** Ranges per thread, at least (about): threads that finish early take more. */
const RANGES_PER_THREAD = 4;
/** Ranges of one review handed to the pool at a time, per thread: one running, one waiting. */
const RANGES_IN_FLIGHT_PER_THREAD = 2;

const rangeBytes = (bodyBytes: number, threads: number): number =>
  Math.min(MAX_RANGE_BYTES, Math.max(MIN_RANGE_BYTES, Math.ceil(bodyBytes / (threads * RANGES_PER_THREAD))));

/**
 * Cut the objects (their byte spans, flat) into consecutive ranges of about `bytes` each, at least
 * one object per range: [start0, end0, start1, end1, ...] in object indexes, covering them all.
 */
export function cutRanges(spans: readonly number[], bytes: number): number[] {
  const n = spans.length / 2;
  const ranges: number[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    if (spans[2 * i + 1]! - spans[2 * start]! >= bytes || i === n - 1) {
      ranges.push(start, i + 1);
      start = i + 1;
    }
  }
  return ranges;
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
