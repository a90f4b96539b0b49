import { readFile } from 'node:fs/promises';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import tls from 'node:tls';

/** A serving certificate (PEM, leaf first, chain after) and its private key (PEM), as read. */
export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
}

/** A pair that was checked to be usable, with what operators need to know about it. */
export interface ServingCertificate extends CertificatePair {
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the leaf certificate, as `openssl x509 -fingerprint -sha256` prints it. */
  readonly fingerprint: string;
}

export class UnusableCertificate extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusableCertificate';
  }
}

/** The TLS settings every secure context of the webhook gets, the first and every reloaded one. */
export const TLS_MIN_VERSION = 'TLSv1.2' as const;

export const secureContextOptions = (pair: CertificatePair): tls.SecureContextOptions => ({
  cert: pair.cert,
  key: pair.key,
  minVersion: TLS_MIN_VERSION,
});

/**
 * Check that a pair can serve: the certificate parses, the key parses and belongs to it, and
 * OpenSSL accepts both. Throws UnusableCertificate saying what is wrong (never the key itself).
 */
export function inspectPair(pair: CertificatePair): ServingCertificate {
  if (pair.cert.trim() === '') throw new UnusableCertificate('the certificate file is empty');
  if (pair.key.trim() === '') throw new UnusableCertificate('the private key file is empty');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pair.cert);
  } catch (e) {
    throw new UnusableCertificate(`the certificate does not parse: ${(e as Error).message}`);
  }
  let keyMatches: boolean;
  try {
    keyMatches = leaf.checkPrivateKey(createPrivateKey(pair.key));
  } catch (e) {
    throw new UnusableCertificate(`the private key does not parse: ${(e as Error).message}`);
  }
  if (!keyMatches) throw new UnusableCertificate('the private key does not belong to the certificate');
  try {
    tls.createSecureContext(secureContextOptions(pair));
  } catch (e) {
    throw new UnusableCertificate(`OpenSSL refuses the pair: ${(e as Error).message}`);
  }
  return {
    ...pair,
    subject: leaf.subject.replace(/\n/g, ', '),
    notBefore: new Date(Date.parse(leaf.validFrom)),
    notAfter: new Date(Date.parse(leaf.validTo)),
    fingerprint: leaf.fingerprint256,
  };
}

/** Read both files; a missing or unreadable file is an UnusableCertificate. */
export async function readPair(certFile: string, keyFile: string): Promise<CertificatePair> {
  const read = (file: string) =>
    readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UnusableCertificate(`cannot read ${file}: ${e.code ?? e.message}`);
    });
  const [cert, key] = await Promise.all([read(certFile), read(keyFile)]);
  return { cert, key };
}

export async function loadPair(certFile: string, keyFile: string): Promise<ServingCertificate> {
  return inspectPair(await readPair(certFile, keyFile));
}

/** Identity of a pair's content, to tell a change from a re-read (the key is hashed, not kept). */
export const pairDigest = (pair: CertificatePair): string =>
  createHash('sha256').update(pair.cert).update('\0').update(pair.key).digest('hex');
