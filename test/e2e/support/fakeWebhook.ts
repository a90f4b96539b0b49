/**
 * A webhook under the test's control, on loopback with a given certificate: it records what the
 * apiserver sends and answers as told (crdconv's conversion bent in a chosen way, a Failure, an
 * HTTP error, or nothing at all), to see what the real apiserver does with each answer.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseJson, stringifyJson } from '../../../src/json/index.js';
import type { Obj } from './kube.js';
import { convertLocally } from './samples.js';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly review: Obj;
}

export interface Answer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** The body; an object is serialized losslessly. */
  readonly body?: unknown;
  /** Never answer (the connection is held until the server closes). */
  readonly hang?: boolean;
}

export type Responder = (review: Obj, recorded: Recorded) => Answer;

export interface FakeWebhook {
  readonly port: number;
  readonly requests: Recorded[];
  respond: Responder;
  close(): Promise<void>;
}

export async function startFakeWebhook(certDir: string, respond: Responder): Promise<FakeWebhook> {
  const requests: Recorded[] = [];
  const held: import('node:http').ServerResponse[] = [];
  const state = { respond };
  const server: Server = createServer(
    { cert: readFileSync(join(certDir, 'tls.crt')), key: readFileSync(join(certDir, 'tls.key')) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let review: Obj = {};
        try {
          review = parseJson(text) as Obj;
        } catch {
          /* recorded as text */
        }
        const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, text, review };
        requests.push(recorded);
        let answer: Answer;
        try {
          // A copy: a responder may bend what it answers without touching what was recorded.
          answer = state.respond(structuredClone(review), recorded);
        } catch (e) {
          answer = { status: 500, headers: { 'Content-Type': 'text/plain' }, body: `fake webhook: ${String(e)}` };
        }
        if (answer.hang) {
          held.push(res);
          return;
        }
        const body =
          answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : stringifyJson(answer.body);
        res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json', ...answer.headers });
        res.end(body);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    get respond() {
      return state.respond;
    },
    set respond(r: Responder) {
      state.respond = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The review's request part. */
export const requestOf = (review: Obj): { uid: string; desiredAPIVersion: string; objects: Obj[] } =>
  review['request'] as { uid: string; desiredAPIVersion: string; objects: Obj[] };

/** A correct v1 ConversionReview answer, made by crdconv's own conversion (a Failure if it fails). */
export function correctAnswer(review: Obj): Obj {
  const request = requestOf(review);
  let convertedObjects: Obj[];
  try {
    convertedObjects = request.objects.map((o) => convertLocally(o, request.desiredAPIVersion));
  } catch (e) {
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: { uid: request.uid, result: { status: 'Failure', message: String(e) } },
    };
  }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    response: { uid: request.uid, result: { status: 'Success' }, convertedObjects },
  };
}
