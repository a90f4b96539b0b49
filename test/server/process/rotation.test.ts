import { expect } from 'chai';
import https from 'node:https';
import { inspectPair } from '../../../src/server/tls/certificate.js';
import type { DevCertificates } from '../../../src/server/tls/devCert.js';
import { parseMetrics, valueOf } from '../metrics/promText.js';
import { freshPairs } from '../tls/pairs.js';
import { SecretVolume } from '../tls/secretVolume.js';
import {
  backendReview,
  eventually,
  httpGet,
  httpsRequest,
  startTestService,
  type TestService,
} from '../../support/service.js';

/** Reviews in a loop, each on a fresh connection (so each sees the certificate served right then). */
function loadLoop(port: number, ca: string[], workers: number) {
  const seen: string[] = [];
  const failures: string[] = [];
  let running = true;
  const worker = async () => {
    while (running) {
      const r = backendReview();
      try {
        const answer = await httpsRequest(port, ca, { body: r.text });
        if (answer.status !== 200 || JSON.parse(answer.text).response?.uid !== r.uid)
          failures.push(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
        else seen.push(answer.fingerprint ?? 'none');
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return {
    seen,
    failures,
    count: (fingerprint: string) => seen.filter((f) => f === fingerprint).length,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

describe('service: certificate rotation under load', function () {
  this.timeout(60_000);
  let pairs: [DevCertificates, DevCertificates, DevCertificates];
  let volume: SecretVolume;
  let t: TestService;

  before(async () => {
    pairs = (await freshPairs(3)) as typeof pairs;
    volume = await SecretVolume.create(pairs[0]);
    t = await startTestService({ certificates: { kind: 'dir', dir: volume.dir }, certPollIntervalMs: 250 });
  });
  after(async () => {
    await t.stop();
    await volume.remove();
  });

  it('serves the new certificate after a ..data swap with no failed request, and keeps it when the next pair is broken', async () => {
    const [a, b, c] = pairs.map((p) => inspectPair(p)) as [
      ReturnType<typeof inspectPair>,
      ReturnType<typeof inspectPair>,
      ReturnType<typeof inspectPair>,
    ];
    const bundle = pairs.map((p) => p.ca);
    // A keep-alive connection opened before the swap must survive it, still on the old certificate.
    const kept = new https.Agent({ keepAlive: true, maxSockets: 1 });
    const before = await httpsRequest(t.service.port, bundle, { body: backendReview().text, agent: kept });
    expect(before.fingerprint).to.equal(a.fingerprint);

    const load = loadLoop(t.service.port, bundle, 3);
    try {
      await eventually(
        () => load.count(a.fingerprint) >= 20 || load.failures.length > 0,
        20_000,
        'requests on the first certificate',
      );
      await volume.swap(pairs[1]);
      await eventually(
        () => load.count(b.fingerprint) >= 20 || load.failures.length > 0,
        20_000,
        'requests on the rotated certificate',
      );
      expect(t.service.certificate().fingerprint).to.equal(b.fingerprint);

      const onOldConnection = await httpsRequest(t.service.port, bundle, { body: backendReview().text, agent: kept });
      expect(onOldConnection.status).to.equal(200);
      expect(onOldConnection.fingerprint, 'the open connection was not cut').to.equal(a.fingerprint);

      // A broken pair: C's certificate with A's key. B keeps serving.
      await volume.swap({ cert: pairs[2].cert, key: pairs[0].key });
      await eventually(
        () => t.logs.entries.some((e) => e.level === 'error' && /cannot be used/.test(e.msg ?? '')),
        10_000,
        'the rejection log',
      );
      const servedB = load.count(b.fingerprint);
      await eventually(
        () => load.count(b.fingerprint) >= servedB + 20 || load.failures.length > 0,
        20_000,
        'requests after the broken pair',
      );
    } finally {
      await load.stop();
      kept.destroy();
    }
    expect(load.failures, load.failures.slice(0, 3).join('\n')).to.deep.equal([]);
    expect(load.count(c.fingerprint)).to.equal(0);
    // Once B was seen, nothing older or newer was served on a fresh connection.
    const firstB = load.seen.indexOf(b.fingerprint);
    expect(load.seen.slice(firstB).every((f) => f === b.fingerprint)).to.equal(true);
    expect(load.seen.slice(0, firstB).every((f) => f === a.fingerprint)).to.equal(true);

    const s = parseMetrics((await httpGet(t.service.metricsPort!, '/metrics')).text);
    expect(valueOf(s, 'crdconv_tls_certificate_reloads_total', { result: 'success' })).to.equal(1);
    expect(valueOf(s, 'crdconv_tls_certificate_reloads_total', { result: 'failure' })).to.equal(1);
    expect(valueOf(s, 'crdconv_tls_certificate_expiry_timestamp_seconds')).to.equal(b.notAfter.getTime() / 1000);

    await t.logs.flushed();
    const reloaded = t.logs.entries.filter((e) => /serving certificate reloaded/.test(e.msg ?? ''));
    expect(reloaded.map((e) => e.fingerprint)).to.deep.equal([b.fingerprint]);
    const rejection = t.logs.entries.find((e) => /cannot be used/.test(e.msg ?? ''))!;
    expect(rejection.error).to.match(/does not belong/);
    expect((rejection.serving as { fingerprint: string }).fingerprint).to.equal(b.fingerprint);
    for (const p of pairs) expect(t.logs.lines.join('\n')).not.to.contain(p.key.split('\n')[1]!);
  });
});
