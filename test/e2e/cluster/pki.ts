/**
 * The test control plane's own certificates: a CA, the kube-apiserver's serving certificate for
 * loopback, an admin client certificate (group system:masters) and the service-account signing key.
 * Made with @peculiar/x509 on WebCrypto, like src/tls/devCert.ts.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

const pem = (der: ArrayBuffer, label: string): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/.{64}/g, '$&\n')
    .replace(/\n?$/, '\n')}-----END ${label}-----\n`;

const serial = (): string =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');

export interface ControlPlanePki {
  readonly dir: string;
  readonly caFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  readonly adminCertFile: string;
  readonly adminKeyFile: string;
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
}

interface Leaf {
  readonly subject: string;
  readonly usage: 'server' | 'client';
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
}

/** Writes every file into `dir` (mode 0600 for keys) and returns their paths. */
export async function createControlPlanePki(dir: string): Promise<ControlPlanePki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const now = Date.now();
  const notBefore = new Date(now - 5 * 60_000);
  const notAfter = new Date(now + 30 * 86400_000);
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=crdconv e2e control plane CA ${serial().slice(0, 8)}`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const issue = async (leaf: Leaf): Promise<{ cert: string; key: string }> => {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const names = [
      ...(leaf.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(leaf.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
    ];
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: leaf.subject,
      issuer: ca.subject,
      notBefore,
      notAfter,
      signingKey: caKeys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([
          leaf.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
        ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      ],
    });
    return {
      cert: cert.toString('pem') + '\n',
      key: pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'),
    };
  };

  const serving = await issue({
    subject: 'CN=kube-apiserver',
    usage: 'server',
    dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ips: ['127.0.0.1', '10.0.0.1'],
  });
  // The apiserver maps a client certificate's CN to the user and each O to a group:
  // system:masters passes every authorization check.
  const admin = await issue({ subject: 'CN=crdconv-e2e-admin, O=system:masters', usage: 'client' });
  const saKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);

  const files: ControlPlanePki = {
    dir,
    caFile: join(dir, 'ca.crt'),
    servingCertFile: join(dir, 'apiserver.crt'),
    servingKeyFile: join(dir, 'apiserver.key'),
    adminCertFile: join(dir, 'admin.crt'),
    adminKeyFile: join(dir, 'admin.key'),
    serviceAccountKeyFile: join(dir, 'sa.key'),
    serviceAccountPublicKeyFile: join(dir, 'sa.pub'),
  };
  await writeFile(files.caFile, ca.toString('pem') + '\n');
  await writeFile(files.servingCertFile, serving.cert);
  await writeFile(files.servingKeyFile, serving.key, { mode: 0o600 });
  await writeFile(files.adminCertFile, admin.cert);
  await writeFile(files.adminKeyFile, admin.key, { mode: 0o600 });
  await writeFile(
    files.serviceAccountKeyFile,
    pem(await webcrypto.subtle.exportKey('pkcs8', saKeys.privateKey), 'PRIVATE KEY'),
    { mode: 0o600 },
  );
  await writeFile(
    files.serviceAccountPublicKeyFile,
    pem(await webcrypto.subtle.exportKey('spki', saKeys.publicKey), 'PUBLIC KEY'),
  );
  return files;
}
