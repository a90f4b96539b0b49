import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Logger } from '../../log.js';
import { inspectPair, loadPair, type ServingCertificate } from './certificate.js';
import { createDevCertificates } from './devCert.js';

/** Where the serving certificate comes from. */
export type CertificateSource =
  | { readonly kind: 'dir'; readonly dir: string }
  | { readonly kind: 'files'; readonly certFile: string; readonly keyFile: string }
  | { readonly kind: 'dev'; readonly dir: string };

export const defaultDevCertDir = (): string => join(tmpdir(), 'crdconv-dev-certs');

export function certificateSource(opts: {
  certDir?: string;
  certFile?: string;
  keyFile?: string;
  devCertDir?: string;
}): CertificateSource {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
    return { kind: 'files', certFile: opts.certFile, keyFile: opts.keyFile };
  }
  if (opts.certDir) return { kind: 'dir', dir: opts.certDir };
  return { kind: 'dev', dir: opts.devCertDir ?? defaultDevCertDir() };
}

/** The files to watch; none for a generated development certificate (made fresh at each start). */
export function certificateFiles(source: CertificateSource): { certFile: string; keyFile: string } | undefined {
  if (source.kind === 'dir') return { certFile: join(source.dir, 'tls.crt'), keyFile: join(source.dir, 'tls.key') };
  if (source.kind === 'files') return { certFile: source.certFile, keyFile: source.keyFile };
  return undefined;
}

/** Load and check the first certificate: a broken one at startup is fatal (there is nothing to keep). */
export async function loadServingCertificate(
  source: CertificateSource,
  logger: Logger,
): Promise<{ certificate: ServingCertificate; devCaFile?: string }> {
  if (source.kind !== 'dev') {
    const files = certificateFiles(source)!;
    try {
      return { certificate: await loadPair(files.certFile, files.keyFile) };
    } catch (e) {
      throw new Error(`cannot serve with ${files.certFile} and ${files.keyFile}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  const dev = await createDevCertificates(source.dir);
  logger.warn({
    msg: 'no certificate given: serving a generated development certificate for localhost',
    caBundle: dev.caFile,
    hint: `curl --cacert ${dev.caFile} https://localhost:PORT/convert`,
  });
  return { certificate: inspectPair(dev), devCaFile: dev.caFile };
}

/** What the logs say about a certificate: identity and validity, never the key. */
export const describeCertificate = (c: ServingCertificate) => ({
  subject: c.subject,
  notBefore: c.notBefore.toISOString(),
  notAfter: c.notAfter.toISOString(),
  fingerprint: c.fingerprint,
});

const SOON_MS = 7 * 86400_000;

/** An expired or nearly expired certificate is served (it may be all there is) but shouted about. */
export function warnIfExpiring(logger: Logger, c: ServingCertificate, now = Date.now()): void {
  const left = c.notAfter.getTime() - now;
  if (left <= 0)
    logger.error({
      msg: 'the serving certificate has expired: the apiserver will refuse every conversion',
      ...describeCertificate(c),
    });
  else if (left < SOON_MS)
    logger.warn({ msg: 'the serving certificate expires within 7 days', ...describeCertificate(c) });
  if (c.notBefore.getTime() > now)
    logger.warn({ msg: 'the serving certificate is not valid yet', ...describeCertificate(c) });
}
