import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { registry } from '../../converters/index.js';
import { createConvertHandler, type ConvertHandlerOptions } from '../../src/server/http/convertHandler.js';
import type { ReviewObserver, ReviewRecord } from '../../src/server/http/observer.js';

/**
 * The handler driven without sockets, so that the test decides which bodies arrive in one turn of
 * the event loop. Over HTTPS the same handler is tested in convert.test.ts.
 */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What happened, in order: answers sent and reviews reported to the observer. */
export type Event = `sent ${string}` | `reported ${string}`;

function fakeExchange(events: Event[], name: string, body: string, headers: Record<string, string> = {}) {
  const req = Object.assign(new EventEmitter(), { method: 'POST', url: '/convert', headers, resume() {} });
  const answer = { status: 0, headers: {} as Record<string, unknown>, text: '' };
  const res = Object.assign(new EventEmitter(), {
    headersSent: false,
    destroyed: false,
    setHeader: (k: string, v: unknown) => void (answer.headers[k.toLowerCase()] = v),
    writeHead(status: number, h: Record<string, unknown>) {
      answer.status = status;
      for (const [k, v] of Object.entries(h)) answer.headers[k.toLowerCase()] = v;
      this.headersSent = true;
    },
    // Pieces of a streamed answer may be bytes (whole runs of objects: never a split character).
    write: (chunk: string | Uint8Array) => {
      answer.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    },
    end(chunk?: string | Uint8Array, done?: () => void) {
      if (chunk !== undefined) answer.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      events.push(`sent ${name}`);
      if (done) setImmediate(done);
    },
    cork() {},
    uncork() {},
  });
  /** Deliver the body: its 'end' is when the handler takes the review. */
  const arrive = () => {
    req.emit('data', Buffer.from(body));
    req.emit('end');
  };
  const bytes = Buffer.from(body);
  const progress = { chunks: 0 };
  /**
   * Deliver the body in chunks of `size` bytes, a turn of the event loop between two, as a socket
   * does; with `abortAfter`, the client goes away after that many chunks instead ('aborted').
   */
  const arriveInChunks = async (size: number, abortAfter = Infinity) => {
    for (let at = 0; at < bytes.length; at += size) {
      if (progress.chunks >= abortAfter) {
        res.destroyed = true;
        req.emit('aborted');
        res.emit('close');
        return;
      }
      req.emit('data', bytes.subarray(at, at + size));
      progress.chunks++;
      await nextTurn();
    }
    req.emit('end');
  };
  return {
    req: req as unknown as IncomingMessage,
    res: res as unknown as ServerResponse,
    answer,
    arrive,
    arriveInChunks,
    progress,
  };
}

export function harness(options: Partial<ConvertHandlerOptions> = {}) {
  const events: Event[] = [];
  const records: ReviewRecord[] = [];
  const observer: ReviewObserver = {
    reviewStarted: () => {},
    reviewFinished: (r) => {
      records.push(r);
      events.push(`reported ${r.uid ?? r.result}`);
    },
  };
  const convert = createConvertHandler({
    registry,
    maxRequestBytes: 64 * 1024,
    ...options,
    observer,
  });
  const start = (name: string, body: string, headers?: Record<string, string>) => {
    const exchange = fakeExchange(events, name, body, headers);
    convert(exchange.req, exchange.res);
    return exchange;
  };
  return { events, records, start };
}
