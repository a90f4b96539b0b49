import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import express from 'express';
import { sendError } from './convertHandler.js';

export const CONVERT_PATH = '/convert';

/** Everything on the webhook port that is not the hot path: plain express, 404 for the rest. */
export function createFallbackApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res) => {
    sendError(res, 404, `no such path ${req.path}; the conversion webhook is POST ${CONVERT_PATH}`);
  });
  return app;
}

/** The path without the query string (the apiserver always appends `?timeout=30s`). */
const pathOf = (url: string | undefined): string => {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

export type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Route /convert to the conversion handler before express sees the request. */
export const dispatch =
  (convert: Handler, fallback: Handler): Handler =>
  (req, res) =>
    pathOf(req.url) === CONVERT_PATH ? convert(req, res) : fallback(req, res);

/**
 * How long the webhook waits on a client. The apiserver sends a whole review at once and gives up
 * itself after at most 30 s (the webhook's timeoutSeconds), so anything slower is a stalled or
 * hostile client holding a socket.
 */
export interface WebhookTimeouts {
  /** To complete the TLS handshake. */
  readonly handshakeMs: number;
  /** To receive the request headers. */
  readonly headersMs: number;
  /** To receive the whole request, body included. */
  readonly requestMs: number;
  /** Of silence on a socket while a request is being received or answered. */
  readonly idleMs: number;
  /**
   * An idle keep-alive connection is kept this long: longer than the apiserver's own idle
   * timeout (90 s), so the client closes first and never sends on a socket being closed.
   */
  readonly keepAliveMs: number;
  /** How often headersMs and requestMs are enforced (node's default is every 30 s). */
  readonly checkIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: WebhookTimeouts = {
  handshakeMs: 10_000,
  headersMs: 10_000,
  requestMs: 60_000,
  idleMs: 30_000,
  keepAliveMs: 120_000,
  checkIntervalMs: 1_000,
};

export interface WebhookServerOptions {
  readonly tls: SecureContextOptions;
  readonly handler: Handler;
  readonly timeouts?: Partial<WebhookTimeouts>;
}

/**
 * HTTPS, TLS 1.2 at least (the apiserver speaks HTTP/1.1 over TLS with no client certificate).
 * A request with no bytes for idleMs is cut by node (no 'timeout' listener: the socket is
 * destroyed); headersMs and requestMs bound clients that trickle.
 */
export function createWebhookServer({ tls, handler, timeouts }: WebhookServerOptions): https.Server {
  const t = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const server = https.createServer(
    {
      ...tls,
      minVersion: 'TLSv1.2',
      handshakeTimeout: t.handshakeMs,
      headersTimeout: t.headersMs,
      requestTimeout: t.requestMs,
      keepAliveTimeout: t.keepAliveMs,
      connectionsCheckingInterval: t.checkIntervalMs,
    },
    (req, res) => {
      void handler(req, res);
    },
  );
  server.timeout = t.idleMs;
  server.on('secureConnection', readThroughStream);
  // Expect: 100-continue reaches the handler unanswered (node would send 100 Continue first): a
  // body that is too big is refused without being asked for, and one that must wait for room in
  // the memory budget is asked for only once there is room.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    server.emit('request', req, res);
  });
  return server;
}

/**
 * Make node:http read this connection's requests through the socket's stream, which honours a
 * pause, instead of feeding its parser natively, which does not.
 *
 * Node (20) pauses a connection's parser when a request arrives while the previous answer is still
 * being flushed (answers over 16 KiB). Fed natively, the parser still receives the TLS records
 * already decrypted, fails them with HPE_PAUSED, and node drops the connection in the middle of
 * the request. Answers are written at the end of an event-loop turn (see turnBatch), and TLS
 * reports a write as flushed only in the next turn: the apiserver's next request on the same
 * connection can arrive first. Measured with back-to-back 28 KB reviews on one keep-alive
 * connection, about 3% were cut this way; read through the stream, none.
 *
 * node:http switches a socket to stream reading when a 'data' listener is added to it; the
 * listener itself has nothing to do.
 */
function readThroughStream(socket: TLSSocket): void {
  socket.on('data', ignoreData);
}

const ignoreData = (): void => {};
