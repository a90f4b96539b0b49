import { mkdir, mkdtemp, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificatePair } from '../../../src/server/tls/certificate.js';

let generation = 0;

/**
 * A directory laid out as the kubelet lays out a mounted Secret: the files live in a
 * timestamped directory, `..data` points at it, and tls.crt / tls.key point through `..data`.
 * An update writes a new timestamped directory and swaps `..data` with one atomic rename.
 */
export class SecretVolume {
  private constructor(readonly dir: string) {}

  static async create(pair: CertificatePair): Promise<SecretVolume> {
    const volume = new SecretVolume(await mkdtemp(join(tmpdir(), 'crdconv-secret-')));
    await volume.swap(pair);
    await symlink('..data/tls.crt', join(volume.dir, 'tls.crt'));
    await symlink('..data/tls.key', join(volume.dir, 'tls.key'));
    return volume;
  }

  /** The kubelet's atomic update. */
  async swap(pair: CertificatePair): Promise<void> {
    const previous = await readlink(join(this.dir, '..data')).catch(() => undefined);
    const payload = `..${Date.now()}_${process.pid}_${++generation}`;
    await mkdir(join(this.dir, payload));
    await writeFile(join(this.dir, payload, 'tls.crt'), pair.cert);
    await writeFile(join(this.dir, payload, 'tls.key'), pair.key, { mode: 0o600 });
    await symlink(payload, join(this.dir, '..data_tmp'));
    await rename(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (previous) await rm(join(this.dir, previous), { recursive: true, force: true });
  }

  remove(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}
