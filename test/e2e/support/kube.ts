/**
 * Raw HTTPS to the test kube-apiserver with the admin certificate. @kubernetes/client-node parses
 * with JSON.parse and would round integers beyond 2^53, so every check of an object's content
 * reads the apiserver's text and parses it losslessly (src/json).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parseJson, stringifyJson } from '../../../src/json/index.js';
import type { ClusterState } from '../cluster/cluster.js';

export interface KubeResponse {
  readonly status: number;
  readonly text: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

export type Obj = Record<string, unknown>;

export class KubeError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly text: string,
  ) {
    super(`${method} ${path}: HTTP ${status}: ${text.slice(0, 2000)}`);
  }
  /** The apiserver's Status message. */
  get statusMessage(): string {
    try {
      return String((JSON.parse(this.text) as { message?: unknown }).message);
    } catch {
      return this.text;
    }
  }
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly contentType?: string;
  readonly timeoutMs?: number;
}

export class Kube {
  private readonly ca: Buffer;
  private readonly cert: Buffer;
  private readonly key: Buffer;
  readonly server: string;

  constructor(state: Pick<ClusterState, 'server' | 'caFile' | 'adminCertFile' | 'adminKeyFile'>) {
    this.server = state.server;
    this.ca = readFileSync(state.caFile);
    this.cert = readFileSync(state.adminCertFile);
    this.key = readFileSync(state.adminKeyFile);
  }

  raw(method: string, path: string, options: RequestOptions = {}): Promise<KubeResponse> {
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : stringifyJson(options.body);
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.server),
        {
          method,
          ca: this.ca,
          cert: this.cert,
          key: this.key,
          timeout: options.timeoutMs ?? 60_000,
          headers: {
            Accept: 'application/json',
            ...(body === undefined
              ? {}
              : {
                  'Content-Type': options.contentType ?? 'application/json',
                  'Content-Length': Buffer.byteLength(body),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** A request that must succeed; its body parsed losslessly. */
  async call(method: string, path: string, options: RequestOptions = {}): Promise<Obj> {
    const res = await this.raw(method, path, options);
    if (res.status < 200 || res.status > 299) throw new KubeError(method, path, res.status, res.text);
    return parseJson(res.text) as Obj;
  }

  get = (path: string) => this.call('GET', path);
  create = (path: string, body: unknown) => this.call('POST', path, { body });
  put = (path: string, body: unknown) => this.call('PUT', path, { body });
  delete = (path: string) => this.call('DELETE', path);
  mergePatch = (path: string, body: unknown) =>
    this.call('PATCH', path, { body, contentType: 'application/merge-patch+json' });
  jsonPatch = (path: string, body: unknown) =>
    this.call('PATCH', path, { body, contentType: 'application/json-patch+json' });
  apply = (path: string, body: unknown, fieldManager: string, force = false) =>
    this.call(
      'PATCH',
      `${path}${path.includes('?') ? '&' : '?'}fieldManager=${fieldManager}${force ? '&force=true' : ''}`,
      {
        body,
        contentType: 'application/apply-patch+yaml',
      },
    );

  /** A request that must fail; returns the apiserver's answer. */
  async failing(method: string, path: string, options: RequestOptions = {}): Promise<KubeError> {
    const res = await this.raw(method, path, options);
    if (res.status >= 200 && res.status <= 299)
      throw new Error(`${method} ${path} succeeded, a failure was expected: ${res.text.slice(0, 500)}`);
    return new KubeError(method, path, res.status, res.text);
  }

  /**
   * Opens a watch and collects its events (parsed losslessly) until `done` says so or the time
   * runs out; resolves with the events seen.
   */
  watch(path: string, done: (events: Obj[]) => boolean, timeoutMs = 20_000): Promise<Obj[]> {
    return new Promise((resolve, reject) => {
      const events: Obj[] = [];
      let buffer = '';
      const req = request(
        new URL(
          `${path}${path.includes('?') ? '&' : '?'}watch=true&timeoutSeconds=${Math.ceil(timeoutMs / 1000)}`,
          this.server,
        ),
        { ca: this.ca, cert: this.cert, key: this.key, headers: { Accept: 'application/json' } },
        (res) => {
          if ((res.statusCode ?? 0) !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              reject(new KubeError('WATCH', path, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))),
            );
            return;
          }
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let nl: number;
            while ((nl = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, nl).trim();
              buffer = buffer.slice(nl + 1);
              if (!line) continue;
              events.push(parseJson(line) as Obj);
              if (done(events)) {
                req.destroy();
                resolve(events);
                return;
              }
            }
          });
          res.on('end', () => resolve(events));
          res.on('error', () => resolve(events));
        },
      );
      req.on('error', (e) => (events.length && done(events) ? resolve(events) : reject(e)));
      req.end();
    });
  }
}

/**
 * Retries `attempt` until it returns a value (not undefined) or the time runs out. Changes to a
 * CRD or an EndpointSlice reach the apiserver's handlers through informers, a moment after the
 * write returns; a CRD's storage is rebuilt after each change (LISTs answer 429 "storage is
 * (re)initializing" meanwhile).
 */
export async function eventually<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const metadataOf = (o: unknown): Obj => ((o as Obj | undefined)?.['metadata'] ?? {}) as Obj;
