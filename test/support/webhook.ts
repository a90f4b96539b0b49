import https from 'node:https';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Registry } from '../../src/kinds/registry.js';
import { silentLogger } from '../../src/log.js';
import { startService, type RunningService } from '../../src/service.js';

/** A real webhook on an ephemeral loopback port with a fresh development certificate. */
export async function startTestWebhook(registry: Registry, options: { maxRequestBytes?: number } = {}): Promise<RunningService & { ca: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'crdconv-test-'));
  const service = await startService({
    registry,
    logger: silentLogger(),
    port: 0,
    host: '127.0.0.1',
    certificates: { kind: 'dev', dir },
    ...(options.maxRequestBytes !== undefined && { maxRequestBytes: options.maxRequestBytes }),
  });
  return { ...service, ca: await readFile(join(dir, 'ca.crt'), 'utf8') };
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** An HTTPS request as the apiserver makes it: verified against the CA, for host localhost. */
export function request(
  hook: { port: number; ca: string },
  options: { method?: string; path?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port: hook.port,
        ca: hook.ca,
        method: options.method ?? 'POST',
        path: options.path ?? '/convert?timeout=30s',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, */*', 'User-Agent': 'kube-apiserver-admission', ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
