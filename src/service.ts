import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import type https from 'node:https';
import type { Registry } from './kinds/registry.js';
import type { Logger } from './log.js';
import { createConvertHandler, DEFAULT_MAX_REQUEST_BYTES } from './http/convertHandler.js';
import { logObserver } from './http/logObserver.js';
import { combineObservers, type ReviewObserver } from './http/observer.js';
import { createFallbackApp, createWebhookServer, dispatch } from './http/webhookServer.js';
import { createDevCertificates } from './tls/devCert.js';

/** Where the serving certificate comes from. */
export type CertificateSource =
  | { readonly kind: 'dir'; readonly dir: string }
  | { readonly kind: 'files'; readonly certFile: string; readonly keyFile: string }
  | { readonly kind: 'dev'; readonly dir: string };

export interface ServiceOptions {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly port: number;
  readonly host?: string;
  readonly certificates: CertificateSource;
  readonly maxRequestBytes?: number;
  readonly observers?: readonly ReviewObserver[];
}

export interface RunningService {
  readonly server: https.Server;
  readonly port: number;
  /** The CA that signed a generated development certificate. */
  readonly devCaFile?: string;
  close(): Promise<void>;
}

export const defaultDevCertDir = (): string => join(tmpdir(), 'crdconv-dev-certs');

export function certificateSource(opts: { certDir?: string; certFile?: string; keyFile?: string; devCertDir?: string }): CertificateSource {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
    return { kind: 'files', certFile: opts.certFile, keyFile: opts.keyFile };
  }
  if (opts.certDir) return { kind: 'dir', dir: opts.certDir };
  return { kind: 'dev', dir: opts.devCertDir ?? defaultDevCertDir() };
}

async function loadCertificates(source: CertificateSource, logger: Logger): Promise<{ cert: string; key: string; caFile?: string }> {
  if (source.kind === 'dev') {
    const dev = await createDevCertificates(source.dir);
    logger.warn({
      msg: 'no certificate given: serving a generated development certificate for localhost',
      caBundle: dev.caFile,
      hint: `curl --cacert ${dev.caFile} https://localhost:PORT/convert`,
    });
    return { cert: dev.cert, key: dev.key, caFile: dev.caFile };
  }
  const certFile = source.kind === 'dir' ? join(source.dir, 'tls.crt') : source.certFile;
  const keyFile = source.kind === 'dir' ? join(source.dir, 'tls.key') : source.keyFile;
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { cert, key };
}

/** Start the conversion webhook: HTTPS on `port`, POST /convert. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { registry, logger } = options;
  const tls = await loadCertificates(options.certificates, logger);
  const observer = combineObservers(logObserver(logger), ...(options.observers ?? []));
  const convert = createConvertHandler({ registry, observer, maxRequestBytes: options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES });
  const server = createWebhookServer({ tls: { cert: tls.cert, key: tls.key }, handler: dispatch(convert, createFallbackApp()) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({
    msg: 'conversion webhook listening',
    port,
    path: '/convert',
    kinds: registry.kinds.map((k) => `${k.def.kind}.${k.def.group} (${[...k.versions.keys()].join(', ')})`),
  });
  return {
    server,
    port,
    ...(tls.caFile !== undefined && { devCaFile: tls.caFile }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
