import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectPair, type ServingCertificate } from '../../../src/server/tls/certificate.js';
import { watchCertificate, type CertWatcher } from '../../../src/server/tls/certWatcher.js';
import type { DevCertificates } from '../../../src/server/tls/devCert.js';
import { freshPairs } from './pairs.js';
import { SecretVolume } from './secretVolume.js';

/** Resolve once `condition` holds, polling; fail after `ms`. */
async function eventually(condition: () => boolean, ms = 5_000, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('certificate watcher', () => {
  let pairs: DevCertificates[];
  let volume: SecretVolume;
  let watcher: CertWatcher | undefined;
  const reloaded: ServingCertificate[] = [];
  const rejected: Error[] = [];

  before(async () => {
    pairs = await freshPairs(3);
  });
  beforeEach(async () => {
    reloaded.length = 0;
    rejected.length = 0;
    volume = await SecretVolume.create(pairs[0]!);
  });
  afterEach(async () => {
    watcher?.close();
    watcher = undefined;
    await volume.remove();
  });

  const start = (options: { pollIntervalMs?: number; watchDirectories?: boolean } = {}) =>
    watchCertificate({
      certFile: join(volume.dir, 'tls.crt'),
      keyFile: join(volume.dir, 'tls.key'),
      initial: inspectPair(pairs[0]!),
      settleMs: 20,
      pollIntervalMs: options.pollIntervalMs ?? 60_000,
      ...(options.watchDirectories !== undefined && { watchDirectories: options.watchDirectories }),
      onReloaded: (c) => reloaded.push(c),
      onRejected: (e) => rejected.push(e),
    });

  it('sees the kubelet ..data swap through the directory watch', async () => {
    watcher = await start();
    await volume.swap(pairs[1]!);
    await eventually(() => reloaded.length === 1, 5_000, 'a reload');
    expect(watcher.current().fingerprint).to.equal(inspectPair(pairs[1]!).fingerprint);
    expect(rejected).to.have.length(0);
  });

  it('sees the swap by polling alone when no directory event arrives', async () => {
    watcher = await start({ watchDirectories: false, pollIntervalMs: 50 });
    await volume.swap(pairs[1]!);
    await eventually(() => reloaded.length === 1, 5_000, 'a reload by polling');
    expect(watcher.current().fingerprint).to.equal(inspectPair(pairs[1]!).fingerprint);
  });

  it('does not reload when the same content is written again', async () => {
    watcher = await start();
    await volume.swap(pairs[0]!);
    expect(await watcher.check()).to.equal('unchanged');
    await new Promise((r) => setTimeout(r, 150));
    expect(reloaded).to.have.length(0);
  });

  it('keeps the current pair when the new one is broken, reports it once, and takes the next good one', async () => {
    watcher = await start({ pollIntervalMs: 30 });
    await volume.swap({ cert: pairs[1]!.cert, key: pairs[2]!.key });
    await eventually(() => rejected.length === 1, 5_000, 'a rejection');
    expect(rejected[0]!.message).to.match(/does not belong/);
    expect(watcher.current().fingerprint).to.equal(inspectPair(pairs[0]!).fingerprint);
    // Polls keep seeing the same broken content: it is not reported again.
    await new Promise((r) => setTimeout(r, 200));
    expect(await watcher.check()).to.equal('rejected');
    expect(rejected).to.have.length(1);
    await volume.swap(pairs[2]!);
    await eventually(() => reloaded.length === 1, 5_000, 'a reload after the broken pair');
    expect(watcher.current().fingerprint).to.equal(inspectPair(pairs[2]!).fingerprint);
  });

  it('keeps the current pair when installing the new one fails', async () => {
    watcher = await watchCertificate({
      certFile: join(volume.dir, 'tls.crt'),
      keyFile: join(volume.dir, 'tls.key'),
      initial: inspectPair(pairs[0]!),
      settleMs: 20,
      pollIntervalMs: 60_000,
      watchDirectories: false,
      onReloaded: () => {
        throw new Error('setSecureContext refused it');
      },
      onRejected: (e) => rejected.push(e),
    });
    await volume.swap(pairs[1]!);
    expect(await watcher.check()).to.equal('rejected');
    expect(rejected.map((e) => e.message)).to.deep.equal(['setSecureContext refused it']);
    expect(watcher.current().fingerprint).to.equal(inspectPair(pairs[0]!).fingerprint);
  });

  it('follows explicit files rewritten in place', async () => {
    const certFile = join(volume.dir, 'plain.crt');
    const keyFile = join(volume.dir, 'plain.key');
    await writeFile(certFile, pairs[0]!.cert);
    await writeFile(keyFile, pairs[0]!.key);
    watcher = await watchCertificate({
      certFile,
      keyFile,
      initial: inspectPair(pairs[0]!),
      settleMs: 50,
      onReloaded: (c) => reloaded.push(c),
      onRejected: (e) => rejected.push(e),
    });
    // Two writes, the way a careless writer updates files: the pair is mismatched in between.
    await writeFile(keyFile, pairs[1]!.key);
    await writeFile(certFile, pairs[1]!.cert);
    await eventually(
      () => watcher!.current().fingerprint === inspectPair(pairs[1]!).fingerprint,
      5_000,
      'the new pair',
    );
    expect(reloaded.at(-1)!.fingerprint).to.equal(inspectPair(pairs[1]!).fingerprint);
  });
});
