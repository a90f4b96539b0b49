import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevCertificates, type DevCertificates } from '../../../src/server/tls/devCert.js';

/** Fresh certificate pairs, each from its own CA (its `ca` verifies it and no other). */
export async function freshPairs(n: number): Promise<DevCertificates[]> {
  const pairs: DevCertificates[] = [];
  for (let i = 0; i < n; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'crdconv-pair-'));
    pairs.push(await createDevCertificates(dir));
    await rm(dir, { recursive: true, force: true });
  }
  return pairs;
}
