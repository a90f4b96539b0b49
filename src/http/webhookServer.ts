import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecureContextOptions } from 'node:tls';
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
export const dispatch = (convert: Handler, fallback: Handler): Handler => (req, res) =>
  pathOf(req.url) === CONVERT_PATH ? convert(req, res) : fallback(req, res);

export interface WebhookServerOptions {
  readonly tls: SecureContextOptions;
  readonly handler: Handler;
}

/**
 * HTTPS, TLS 1.2 at least (the apiserver speaks HTTP/1.1 over TLS with no client certificate).
 * Timeouts bound slow or stalled clients: the apiserver itself gives up after 30 s.
 */
export function createWebhookServer({ tls, handler }: WebhookServerOptions): https.Server {
  const server = https.createServer({ ...tls, minVersion: 'TLSv1.2' }, (req, res) => {
    void handler(req, res);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  return server;
}
