/**
 * The replies of POST /convert, and how they are written: each review's answer (a Success, a
 * Failure, or an HTTP error), noted on its record for the observers, sent or streamed, then
 * reported. Shared by the small reviews answered in their turn (convertHandler.ts) and the big ones
 * (bigReviews.ts).
 */
import type { ServerResponse } from 'node:http';
import { JsonSyntaxError, parseJson } from '../../json/index.js';
import type { Registry } from '../../kinds/registry.js';
import { handleReview, type ObjectOutcome, type ReviewOutcome } from '../../review/handleReview.js';
import { encodeResponseParts, readReview, responseFrame, type ConversionResponse } from '../../review/review.js';
import type { Refusal } from './memoryBudget.js';
import type { ReviewObserver, ReviewRecord } from './observer.js';

/** Seconds a client refused for want of room is told to wait (the apiserver retries a 429 with it). */
export const RETRY_AFTER_SECONDS = 1;

/** A review whose body is in, and later its answer. */
export interface PendingReview {
  readonly res: ServerResponse;
  /** The body; emptied once taken, so that a batch does not hold every body to its end. */
  body: Buffer;
  readonly started: bigint;
  readonly record: Mutable<ReviewRecord>;
  reply: Reply | undefined;
}

export interface Reply {
  readonly status: number;
  readonly body: string | readonly string[];
  /** A big answer, written piece by piece as the client takes it (see streamAnswer). */
  readonly stream?: {
    readonly response: ConversionResponse;
    readonly convertedBytes: number;
    /**
     * The converted objects already serialized, UTF-8, joined by ',' in consecutive runs (what
     * conversion threads send back); the response's own list is then empty.
     */
    readonly pieces?: readonly Uint8Array[];
  };
  /** Close the connection after the answer (the rest of a refused body is not read). */
  readonly close?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

export const EMPTY = Buffer.alloc(0);

/** Send the replies of reviews[from, to), then report each to the observers. */
export function deliver(observer: ReviewObserver, reviews: readonly PendingReview[], from: number, to: number): void {
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
export function finish(observer: ReviewObserver, review: PendingReview): void {
  review.record.durationSeconds = Number(process.hrtime.bigint() - review.started) / 1e9;
  observer.reviewFinished(review.record);
}

/** The answer to a review whose body could not be read: the client went away or was too slow. */
export function unread(record: Mutable<ReviewRecord>, error: Error): Reply {
  clientAborted(record, error.message);
  return { status: 400, body: errorBody(error.message), close: true };
}

export function tooLarge(record: Mutable<ReviewRecord>, message: string): Reply {
  refuse(record, 'TooLarge', 413, message);
  return { status: 413, body: errorBody(message), close: true };
}

export function throttled(record: Mutable<ReviewRecord>, why: Refusal): Reply {
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
export function clientAborted(record: Mutable<ReviewRecord>, why: string): void {
  record.result = 'ClientAborted';
  record.httpStatus = 499;
  record.connectionClosed = true;
  record.failure = why;
}

/** Parse and convert one review, noting on the record how it went; never throws. */
export function replyTo(registry: Registry, text: string, record: Mutable<ReviewRecord>): Reply {
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
export function malformed(record: Mutable<ReviewRecord>, e: unknown): Reply {
  if (!(e instanceof JsonSyntaxError) && !(e instanceof RangeError)) throw e;
  return badRequest(record, `malformed JSON: ${e.message}`);
}

export function answered(
  record: Mutable<ReviewRecord>,
  request: { reviewVersion: string; uid: string; desiredAPIVersion: unknown },
  outcome: ReviewOutcome,
  /** UTF-8 bytes of the converted objects, to stream the answer; the answer is built whole without. */
  convertedBytes?: number,
  /** The converted objects as runs of UTF-8 bytes, instead of the response's list (see Reply.stream). */
  pieces?: readonly Uint8Array[],
): Reply {
  record.reviewVersion = request.reviewVersion;
  record.uid = request.uid;
  record.result = outcome.response.result.status;
  record.httpStatus = 200;
  record.objects = outcome.objects;
  if (typeof request.desiredAPIVersion === 'string') record.desiredAPIVersion = request.desiredAPIVersion;
  if (outcome.failure !== undefined) record.failure = outcome.failure;
  if (convertedBytes !== undefined && outcome.response.result.status === 'Success')
    return {
      status: 200,
      body: '',
      stream: { response: outcome.response, convertedBytes, ...(pieces !== undefined && { pieces }) },
    };
  return { status: 200, body: encodeResponseParts(outcome.response) };
}

export function badRequest(record: Mutable<ReviewRecord>, message: string): Reply {
  refuse(record, 'BadRequest', 400, message);
  return { status: 400, body: errorBody(message) };
}

export function internalError(record: Mutable<ReviewRecord>, e: unknown): Reply {
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

/** Objects per piece of a streamed answer: a few hundred kilobytes. */
const OBJECTS_PER_PIECE = 256;

/**
 * Write a big Success answer piece by piece, each piece (a few hundred objects, or one run of
 * objects a conversion thread serialized) written when the connection has taken the one before
 * ('drain'): the event loop is free between pieces, the socket never holds more than a piece, and
 * each converted object is let go once written. `done(true)` once all is handed to the socket,
 * `done(false)` if the connection closed first.
 */
export function streamAnswer(
  res: ServerResponse,
  stream: NonNullable<Reply['stream']>,
  done: (written: boolean) => void,
): void {
  const { response, convertedBytes } = stream;
  const { head, tail } = responseFrame(response);
  const next =
    stream.pieces !== undefined
      ? fromRuns(stream.pieces)
      : fromObjects(response.convertedObjects as string[], convertedBytes);
  const length = Buffer.byteLength(head) + next.bytes + Buffer.byteLength(tail);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': length });
  let settled = false;
  const settle = (written: boolean) => {
    if (settled) return;
    settled = true;
    res.off('drain', write);
    done(written);
  };
  res.once('close', () => settle(false));
  let first = true;
  const write = (): void => {
    if (first) {
      first = false;
      if (!res.write(head)) {
        res.once('drain', write);
        return;
      }
    }
    for (;;) {
      if (res.destroyed) return settle(false);
      const piece = next.piece();
      if (piece === undefined) {
        res.end(tail, () => settle(true));
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

/** The pieces of an answer's list, and how many bytes they make, separators included. */
interface Pieces {
  readonly bytes: number;
  /** The next piece, or undefined after the last. */
  piece(): string | Uint8Array | undefined;
}

/** Serialized objects, OBJECTS_PER_PIECE a piece, each let go once taken. */
function fromObjects(objects: string[], objectBytes: number): Pieces {
  const n = objects.length;
  let next = 0;
  return {
    bytes: objectBytes + Math.max(0, n - 1),
    piece: () => {
      if (next >= n) return undefined;
      const end = Math.min(n, next + OBJECTS_PER_PIECE);
      const piece = (next === 0 ? '' : ',') + objects.slice(next, end).join(',');
      objects.fill('', next, end);
      next = end;
      return piece;
    },
  };
}

/** Runs of objects already joined (empty runs skipped), a separator before each but the first. */
function fromRuns(runs: readonly Uint8Array[]): Pieces {
  const nonEmpty = runs.filter((r) => r.length > 0);
  let next = 0;
  let separator = false;
  let bytes = Math.max(0, nonEmpty.length - 1);
  for (const run of nonEmpty) bytes += run.length;
  return {
    // A separator between two runs; the objects within a run have theirs.
    bytes,
    piece: () => {
      if (next >= nonEmpty.length) return undefined;
      if (separator) {
        separator = false;
        return ',';
      }
      const run = nonEmpty[next]!;
      next++;
      separator = next < nonEmpty.length;
      return run;
    },
  };
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export const NO_OBJECTS: readonly ObjectOutcome[] = Object.freeze([]);

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
