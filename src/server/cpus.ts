/**
 * How many CPUs this process may use, for the `auto` of --workers and --convert-threads: the CPUs
 * of its affinity mask (os.availableParallelism), capped by the CPU quota of its cgroup, which is
 * how a container's CPU limit (`resources.limits.cpu`) reaches the process. Node does not read
 * the quota itself: a pod limited to one CPU on a 32-CPU node would otherwise start 32 workers.
 * Go does the same since 1.25 (GOMAXPROCS follows the cgroup limit).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

type ReadFile = (path: string) => string;

const readText: ReadFile = (path) => readFileSync(path, 'utf8');

/**
 * The CPUs this process may use: whole CPUs of the cgroup quota (rounded down, at least 1) when
 * there is a quota below the affinity mask, else the mask.
 */
export function availableCpus(read: ReadFile = readText, affinity: number = availableParallelism()): number {
  const quota = cgroupCpuQuota(read);
  return quota === undefined ? affinity : Math.max(1, Math.min(affinity, Math.floor(quota)));
}

/** The cgroup's CPU quota in CPUs (1.5 for `150000 100000`), undefined without one. */
export function cgroupCpuQuota(read: ReadFile = readText): number | undefined {
  // cgroup v2: "<quota> <period>" or "max <period>".
  const v2 = attempt(() => read('/sys/fs/cgroup/cpu.max'));
  if (v2 !== undefined) {
    const [quota, period] = v2.trim().split(/\s+/);
    return ratio(quota, period);
  }
  // cgroup v1: the quota is -1 without a limit.
  const quota = attempt(() => read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'));
  const period = attempt(() => read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  return ratio(quota?.trim(), period?.trim());
}

function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  if (quota === undefined || period === undefined || !/^\d+$/.test(quota) || !/^\d+$/.test(period)) return undefined;
  const q = Number(quota);
  const p = Number(period);
  return q > 0 && p > 0 ? q / p : undefined;
}

function attempt(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
