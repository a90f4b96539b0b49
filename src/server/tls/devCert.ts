import 'reflect-metadata'; // @peculiar/x509 resolves its dependencies with tsyringe, which needs the Reflect metadata API
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface DevCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

const toPem = (der: ArrayBuffer, label: string): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;

/**
 * For running without a certificate (development): a throw-away CA and a serving certificate for
 * localhost signed by it, written as ca.crt, tls.crt and tls.key (the layout of a TLS Secret), so
 * that `curl --cacert DIR/ca.crt https://localhost:9443/convert` verifies.
 */
export async function createDevCertificates(
  dir: string,
  hosts: readonly string[] = ['localhost', '127.0.0.1', '::1'],
): Promise<DevCertificates> {
  const now = new Date();
  const notBefore = new Date(now.getTime() - 60_000);
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    // A unique subject and key identifiers: bundles holding several development CAs still verify.
    name: `CN=crdconv development CA ${serial().slice(0, 8)}`,
    notBefore,
    notAfter: new Date(now.getTime() + 365 * 86400_000),
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost',
    issuer: ca.subject,
    notBefore,
    notAfter: new Date(now.getTime() + 90 * 86400_000),
    signingKey: caKeys.privateKey,
    publicKey: leafKeys.publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => (/^[\d.:]+$/.test(h) ? { type: 'ip', value: h } : { type: 'dns', value: h })),
      ),
    ],
  });
  const key = toPem(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey), 'PRIVATE KEY');
  const certs = { cert: leaf.toString('pem') + '\n', ca: ca.toString('pem') + '\n', key };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  await writeFile(files.caFile, certs.ca);
  await writeFile(files.certFile, certs.cert);
  await writeFile(files.keyFile, certs.key, { mode: 0o600 });
  return { dir, ...files, ...certs };
}

const serial = (): string =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
