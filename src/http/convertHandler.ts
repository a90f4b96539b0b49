import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonSyntaxError, parseJson } from '../json/index.js';
import type { Registry } from '../kinds/registry.js';
import { handleReview, type ObjectOutcome } from '../review/handleReview.js';
import { encodeResponseParts, readReview } from '../review/review.js';
import type { ReviewObserver, ReviewRecord } from './observer.js';
import { BodyTooLarge, readBody } from './readBody.js';
import { perTurn } from './turnBatch.js';

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
}

export const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SEND_AFTER_BYTES = 1024 * 1024;

/**
 * POST /convert: bytes in, ConversionReview out. Dispatched straight from node:http (express's
 * router costs more than the whole conversion of a small review); everything else on the port
 * goes to express.
 *
 * The reviews whose bodies arrive in one turn of the event loop are answered together at its end
 * (see turnBatch): first every answer is computed, then every answer is sent, then every review
 * is reported to the observers.
 */
export function createConvertHandler(options: ConvertHandlerOptions) {
  const { registry, observer, maxRequestBytes, sendAfterBytes = DEFAULT_SEND_AFTER_BYTES } = options;
  const answerInTurn = perTurn<PendingReview>((reviews) => answerAll(registry, observer, sendAfterBytes, reviews));
  return function convert(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(res, 405, `${req.method} is not allowed on /convert; the apiserver POSTs a ConversionReview`);
      return;
    }
    const started = process.hrtime.bigint();
    observer.reviewStarted();
    readBody(req, maxRequestBytes, (error, text, bytes) => {
      // One mutable record, filled in as the request goes and handed to the observers once: object
      // spreads that add properties take a slow path in V8, and this runs for every review.
      const record: Mutable<ReviewRecord> = {
        result: 'Error',
        httpStatus: 500,
        durationSeconds: 0,
        requestBytes: bytes,
        objects: NO_OBJECTS,
      };
      const review: PendingReview = { res, text, started, record, reply: undefined };
      if (error === undefined) {
        answerInTurn(review);
        return;
      }
      review.reply = unreadReply(record, error);
      deliver(observer, [review], 0, 1);
    });
  };
}

/** A review whose body is in, and later its answer. */
interface PendingReview {
  readonly res: ServerResponse;
  /** The body; emptied once answered, so that a batch does not hold every body to its end. */
  text: string;
  readonly started: bigint;
  readonly record: Mutable<ReviewRecord>;
  reply: Reply | undefined;
}

interface Reply {
  readonly status: number;
  readonly body: string | readonly string[];
  /** Close the connection after the answer (the rest of a refused body is not read). */
  readonly close?: boolean;
}

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
    review.reply = replyTo(registry, review.text, review.record);
    review.text = '';
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
    if (!send(res, reply!.status, reply!.body)) record.connectionClosed = true;
    record.durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  }
  for (let i = from; i < to; i++) observer.reviewFinished(reviews[i]!.record);
}

/** The answer to a review whose body could not be read. */
function unreadReply(record: Mutable<ReviewRecord>, error: Error): Reply {
  if (error instanceof BodyTooLarge) {
    refuse(record, 'TooLarge', 413, error.message);
    return { status: 413, body: errorBody(error.message), close: true };
  }
  return internalError(record, error);
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
    if (!(e instanceof JsonSyntaxError) && !(e instanceof RangeError)) throw e;
    return badRequest(record, `malformed JSON: ${(e as Error).message}`);
  }
  const request = readReview(body);
  if ('error' in request) return badRequest(record, request.error);
  const outcome = handleReview(registry, request);
  record.reviewVersion = request.reviewVersion;
  record.uid = request.uid;
  record.result = outcome.response.result.status;
  record.httpStatus = 200;
  record.objects = outcome.objects;
  if (typeof request.desiredAPIVersion === 'string') record.desiredAPIVersion = request.desiredAPIVersion;
  if (outcome.failure !== undefined) record.failure = outcome.failure;
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
