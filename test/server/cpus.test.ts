import { expect } from 'chai';
import { availableCpus, cgroupCpuQuota } from '../../src/server/cpus.js';

/** A file system holding only `files`; reading anything else fails as a missing file does. */
const only =
  (files: Record<string, string>) =>
  (path: string): string => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };

describe('the CPUs the process may use (auto of --workers and --convert-threads)', () => {
  it('reads the cgroup v2 quota: a container CPU limit', () => {
    expect(cgroupCpuQuota(only({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' }))).to.equal(1.5);
    expect(cgroupCpuQuota(only({ '/sys/fs/cgroup/cpu.max': '200000 100000\n' }))).to.equal(2);
    expect(cgroupCpuQuota(only({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).to.equal(undefined);
  });

  it('reads the cgroup v1 quota, -1 meaning none', () => {
    const v1 = (quota: string) =>
      only({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': quota, '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' });
    expect(cgroupCpuQuota(v1('400000\n'))).to.equal(4);
    expect(cgroupCpuQuota(v1('-1\n'))).to.equal(undefined);
    expect(cgroupCpuQuota(only({}))).to.equal(undefined);
  });

  it('caps the affinity mask by whole CPUs of the quota, at least one', () => {
    const limit = (text: string) => only({ '/sys/fs/cgroup/cpu.max': text });
    expect(availableCpus(limit('100000 100000'), 32)).to.equal(1);
    expect(availableCpus(limit('250000 100000'), 32)).to.equal(2);
    expect(availableCpus(limit('50000 100000'), 32)).to.equal(1);
    expect(availableCpus(limit('800000 100000'), 4)).to.equal(4);
    expect(availableCpus(limit('max 100000'), 6)).to.equal(6);
    expect(availableCpus(limit('garbage'), 6)).to.equal(6);
    expect(availableCpus(only({}), 3)).to.equal(3);
  });
});
