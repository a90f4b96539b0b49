import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonSyntaxError, parseJson } from '../json/index.js';
import type { Registry } from '../kinds/registry.js';
import { handleReview, type ObjectOutcome } from '../review/handleReview.js';
import { encodeResponseParts, readReview } from '../review/review.js';
import type { ReviewObserver, ReviewRecord } from './observer.js';
import { BodyTooLarge, readBody } from './readBody.js';

export interface ConvertHandlerOptions {
  readonly registry: Registry;
  readonly observer: ReviewObserver;
  /** Largest accepted request body; the apiserver can put a whole LIST in one review. */
  readonly maxRequestBytes: number;
}

export const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/**
 * POST /convert: bytes in, ConversionReview out. Dispatched straight from node:http (express's
 * router costs more than the whole conversion of a small review); everything else on the port
 * goes to express.
 */
export function createConvertHandler(options: ConvertHandlerOptions) {
  const { registry, observer, maxRequestBytes } = options;
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
      const record: Mutable<ReviewRecord> = { result: 'Error', httpStatus: 500, durationSeconds: 0, requestBytes: bytes, objects: NO_OBJECTS };
      try {
        if (error) throw error;
        answer(registry, text, record, res);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          refuse(record, 'TooLarge', 413, e.message);
          res.setHeader('Connection', 'close');
          sendError(res, 413, e.message);
        } else {
          refuse(record, 'Error', 500, (e as Error)?.message ?? String(e));
          sendError(res, 500, 'internal error while converting; see the webhook log');
        }
      } finally {
        record.durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        observer.reviewFinished(record);
      }
    });
  };
}

/** Parse, convert and send the answer to one review, noting on the record how it went. */
function answer(registry: Registry, text: string, record: Mutable<ReviewRecord>, res: ServerResponse): void {
  let body: unknown;
  try {
    body = parseJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError) && !(e instanceof RangeError)) throw e;
    refuse(record, 'BadRequest', 400, `malformed JSON: ${(e as Error).message}`);
    sendError(res, 400, record.failure!);
    return;
  }
  const request = readReview(body);
  if ('error' in request) {
    refuse(record, 'BadRequest', 400, request.error);
    sendError(res, 400, request.error);
    return;
  }
  const outcome = handleReview(registry, request);
  record.reviewVersion = request.reviewVersion;
  record.uid = request.uid;
  record.result = outcome.response.result.status;
  record.httpStatus = 200;
  record.objects = outcome.objects;
  if (typeof request.desiredAPIVersion === 'string') record.desiredAPIVersion = request.desiredAPIVersion;
  if (outcome.failure !== undefined) record.failure = outcome.failure;
  send(res, 200, encodeResponseParts(outcome.response));
}

function refuse(record: Mutable<ReviewRecord>, result: ReviewRecord['result'], httpStatus: number, failure: string): void {
  record.result = result;
  record.httpStatus = httpStatus;
  record.failure = failure;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const NO_OBJECTS: readonly ObjectOutcome[] = Object.freeze([]);

function send(res: ServerResponse, status: number, body: string | readonly string[]): void {
  if (res.headersSent || res.destroyed) return;
  const parts = typeof body === 'string' ? [body] : body;
  let length = 0;
  for (const part of parts) length += Buffer.byteLength(part);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': length });
  if (parts.length === 1) {
    res.end(parts[0]);
    return;
  }
  res.cork();
  for (const part of parts) res.write(part);
  res.end();
  res.uncork();
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  send(res, status, JSON.stringify({ error: message }));
}
