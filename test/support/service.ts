import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { registry } from '../../converters/index.js';
import { createLogger } from '../../src/log.js';
import { startService, type RunningService, type ServiceOptions } from '../../src/server/service.js';
import { stringifyJson } from '../../src/json/index.js';
import { buildReview, type SentReview } from './apiserver.js';
import { backendV1 } from './objects.js';

export type LogEntry = { level: string; msg?: string } & Record<string, unknown>;

/** A logger whose JSON lines land in an array (flattened: winston nests our fields under `message`). */
export function capturingLogger(level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const entries: LogEntry[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(line);
        entries.push(flattenLogLine(line));
      }
      done();
    },
  });
  // The logger writes the lines of one event-loop turn together, at its end: wait for that turn.
  const flushed = () => new Promise<void>((resolve) => setImmediate(resolve));
  return { logger: createLogger(level, stream), lines, entries, flushed };
}

/** A log line as a record; `msg` is the line's text (written as `message`). */
export function flattenLogLine(line: string): LogEntry {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  return { ...parsed, msg: typeof parsed.message === 'string' ? parsed.message : undefined } as LogEntry;
}

export interface TestService {
  readonly service: RunningService;
  readonly ca: string;
  readonly logs: ReturnType<typeof capturingLogger>;
  stop(): Promise<void>;
}

/** The real service with the shipped kinds, on loopback ephemeral ports, probes and metrics on. */
export async function startTestService(overrides: Partial<ServiceOptions> = {}): Promise<TestService> {
  const dir = await mkdtemp(join(tmpdir(), 'crdconv-service-'));
  const logs = capturingLogger();
  const service = await startService({
    registry,
    logger: logs.logger,
    port: 0,
    host: '127.0.0.1',
    certificates: { kind: 'dev', dir },
    probes: { host: '127.0.0.1', port: 0 },
    metrics: { host: '127.0.0.1', port: 0 },
    shutdownGraceMs: 5_000,
    ...overrides,
  });
  const ca = service.devCaFile ? await readFile(service.devCaFile, 'utf8') : '';
  return {
    service,
    ca,
    logs,
    stop: async () => {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  readonly fingerprint?: string;
}

/** Plain HTTP GET, for probes and metrics. */
export function httpGet(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/**
 * The server certificate checked against a bundle of CAs that may share a name (every
 * development CA is "crdconv development CA", which OpenSSL cannot tell apart without key
 * identifiers): signed by one of them, for localhost, valid now.
 */
export function verifiedBy(bundle: readonly string[]) {
  const cas = bundle.map((pem) => new X509Certificate(pem));
  return (leaf: X509Certificate): string | undefined => {
    if (!cas.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey))) return 'not signed by a CA of the bundle';
    if (!leaf.checkHost('localhost')) return 'not for localhost';
    const now = Date.now();
    if (Date.parse(leaf.validFrom) > now || Date.parse(leaf.validTo) < now) return 'not valid now';
    return undefined;
  };
}

/** An HTTPS request verified as the apiserver verifies (CA bundle, name localhost). */
export function httpsRequest(
  port: number,
  ca: string | string[],
  options: {
    method?: string;
    path?: string;
    body?: string | Buffer;
    agent?: https.Agent | false;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  // One CA: OpenSSL verifies. Several: verify by hand (see verifiedBy).
  const manual = Array.isArray(ca) && ca.length > 1 ? verifiedBy(ca) : undefined;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        ...(manual ? { rejectUnauthorized: false } : { ca }),
        method: options.method ?? 'POST',
        path: options.path ?? '/convert?timeout=30s',
        headers: { 'Content-Type': 'application/json', ...options.headers },
        agent: options.agent ?? false,
      },
      (res) => {
        const socket = res.socket as import('node:tls').TLSSocket;
        const peer = socket.getPeerCertificate?.();
        const fingerprint = peer?.fingerprint256;
        const refused = manual && (peer?.raw ? manual(new X509Certificate(peer.raw)) : 'no certificate');
        if (refused) {
          res.destroy();
          reject(new Error(`server certificate refused: ${refused}`));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            ...(fingerprint && { fingerprint }),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A small v1 -> v2 Backend review, as the apiserver would send it. */
export function backendReview(name = 'web'): SentReview & { text: string } {
  const sent = buildReview([backendV1(name, 'localhost:8080')], 'stable.example.com/v2');
  return { ...sent, text: stringifyJson(sent.body) };
}

/** Resolve once `condition` holds, polling; fail after `ms`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  ms = 5_000,
  what = 'the condition',
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** POSTs a review as the apiserver does and gives the parsed answer; anything but 200 throws. */
export async function postReviewJson(port: number, ca: string, review: unknown): Promise<any> {
  const answer = await httpsRequest(port, ca, { body: JSON.stringify(review) });
  if (answer.status !== 200) throw new Error(`${answer.status}: ${answer.text}`);
  return JSON.parse(answer.text);
}
