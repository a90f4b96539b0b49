/**
 * Helpers of the chaos tests (test/e2e/chaos.e2e.ts): a TCP proxy that delays or resets what
 * passes between the kube-apiserver and crdconv, `crdconv serve` replicas on chosen loopback
 * addresses, the EndpointSlice naming them, metric scrapes, and snapshots of stored objects.
 */
import { get } from 'node:http';
import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, parseJson } from '../../../src/json/index.js';
import { spawnServe } from '../../support/serve.js';
import { applyObject, localEndpointSlice } from '../support/env.js';
import type { Kube, Obj } from '../support/kube.js';

export type ProxyMode = 'forward' | 'reset';

export interface Proxy {
  readonly port: number;
  /** Milliseconds every chunk from the apiserver waits before it is passed on (order kept). */
  delayMs: number;
  /** `reset`: every open connection is reset now and every new one at once (TCP RST). */
  setMode(mode: ProxyMode): void;
  readonly connections: () => number;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 to `targetPort` (the TLS bytes pass through untouched). */
export async function startProxy(targetPort: number): Promise<Proxy> {
  const open = new Set<Socket>();
  let mode: ProxyMode = 'forward';
  let accepted = 0;
  const state = { delayMs: 0 };
  const server: Server = createServer((client) => {
    accepted++;
    if (mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    open.add(client);
    open.add(upstream);
    let chain = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const due = Date.now() + state.delayMs;
      chain = chain.then(async () => {
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!upstream.destroyed) upstream.write(chunk);
      });
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!client.destroyed) client.write(chunk);
    });
    const end = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    setMode(next: ProxyMode) {
      mode = next;
      if (next === 'reset') for (const s of open) s.resetAndDestroy();
    },
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A free TCP port on loopback (listened on and released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

export type Replica = Awaited<ReturnType<typeof spawnServe>> & { readonly host: string };

/** `crdconv serve` with the chart's certificate on `host:port` (port 0: any). */
export async function startReplica(
  certDir: string,
  host = '127.0.0.1',
  port = 0,
  extraArgs: readonly string[] = [],
): Promise<Replica> {
  const devDir = await mkdtemp(join(tmpdir(), 'crdconv-e2e-chaos-'));
  const served = await spawnServe(devDir, [
    '--cert-dir',
    certDir,
    '--host',
    host,
    '--port',
    String(port),
    ...extraArgs,
  ]);
  return { ...served, host };
}

export const running = (r: Replica): boolean => r.child.exitCode === null && r.child.signalCode === null;

/**
 * The EndpointSlice of the chart's Service (the one the suite's env writes, replaced whole): the
 * given loopback addresses, all on one port, as the pods of a Deployment would be.
 */
export async function routeTo(kube: Kube, addresses: readonly string[], port: number): Promise<void> {
  await applyObject(kube, localEndpointSlice(port, addresses));
}

/** The text of an HTTP GET on loopback. */
export function httpText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    }).on('error', reject);
  });
}

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of the Prometheus text format (comments skipped). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of the samples of `name` whose labels include `match`. */
export const total = (samples: readonly Sample[], name: string, match: Record<string, string> = {}): number =>
  samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);

/** Every stored object of a collection read at its storage version (no conversion), by name, as canonical JSON. */
export async function snapshot(kube: Kube, storagePath: string): Promise<Map<string, string>> {
  const res = await kube.raw('GET', storagePath);
  if (res.status !== 200) throw new Error(`GET ${storagePath}: HTTP ${res.status}: ${res.text.slice(0, 500)}`);
  const items = (parseJson(res.text) as Obj)['items'] as Obj[];
  return new Map(items.map((o) => [String((o['metadata'] as Obj)['name']), canonicalJson(o)]));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The apiserver's Status message of a failed answer, with the revision made fixed. */
export const statusMessage = (text: string): string => {
  try {
    return String((JSON.parse(text) as Obj)['message']).replace(/revision=\d+/, 'revision=N');
  } catch {
    return text;
  }
};
