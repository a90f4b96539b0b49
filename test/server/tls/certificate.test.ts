import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { inspectPair, UnusableCertificate } from '../../../src/server/tls/certificate.js';
import type { DevCertificates } from '../../../src/server/tls/devCert.js';
import { freshPairs } from './pairs.js';

describe('serving certificate checks', () => {
  let a: DevCertificates;
  let b: DevCertificates;
  before(async () => {
    [a, b] = (await freshPairs(2)) as [DevCertificates, DevCertificates];
  });

  it('accepts a matching pair and reports its validity and fingerprint', () => {
    const served = inspectPair(a);
    const leaf = new X509Certificate(a.cert);
    expect(served.fingerprint).to.equal(leaf.fingerprint256);
    expect(served.notAfter.getTime()).to.equal(Date.parse(leaf.validTo));
    expect(served.notAfter.getTime()).to.be.greaterThan(Date.now());
    expect(served.subject).to.equal('CN=localhost');
  });

  it('accepts a chain (leaf first, CA after)', () => {
    expect(inspectPair({ cert: a.cert + a.ca, key: a.key }).fingerprint).to.equal(
      new X509Certificate(a.cert).fingerprint256,
    );
  });

  const refused: [string, () => { cert: string; key: string }, RegExp][] = [
    ['a key of another certificate', () => ({ cert: a.cert, key: b.key }), /does not belong/],
    ['an empty key', () => ({ cert: a.cert, key: '' }), /key file is empty/],
    ['an empty certificate', () => ({ cert: '\n', key: a.key }), /certificate file is empty/],
    ['a truncated certificate', () => ({ cert: a.cert.slice(0, 120), key: a.key }), /certificate does not parse/],
    ['a key that is not PEM', () => ({ cert: a.cert, key: 'not a key' }), /private key does not parse/],
  ];
  for (const [what, pair, message] of refused) {
    it(`refuses ${what}, without quoting the key`, () => {
      const p = pair();
      let error: unknown;
      try {
        inspectPair(p);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(UnusableCertificate);
      expect((error as Error).message).to.match(message);
      if (p.key.length > 20) expect((error as Error).message).not.to.contain(p.key.slice(30, 60));
    });
  }
});
