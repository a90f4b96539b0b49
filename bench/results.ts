/** The results file: everything a later run needs to be compared with this one. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { MetricResult } from './metrics.js';
import type { Mode } from './servers.js';

export const RESULTS_SCHEMA = 'crdconv-bench/2';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly memoryMiB: number;
  /** 1-minute load average at the start and the end (the end includes the bench's own load). */
  readonly loadAverage: { readonly start: number; readonly end: number };
  /**
   * Share of the machine's CPU capacity that other processes (not the bench, not its two servers)
   * used while measuring, from /proc/stat; NaN where unknown. Other work skews a run.
   */
  readonly otherCpuShare: number;
}

export interface RunConfig {
  readonly mode: Mode;
  readonly repetitions: number;
  readonly small: number;
  readonly big: number;
  readonly int64Share: number;
  readonly concurrency: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly workloads: readonly string[];
  readonly smoke: boolean;
  readonly cpuProfile: boolean;
  /** `crdconv serve --workers` the service ran with (absent: its default). */
  readonly workers?: string;
  /** `crdconv serve --convert-threads` the service ran with (absent: its default). */
  readonly convertThreads?: string;
}

/** The Go peers of the run: the Go version, and how long each build took when it was built in this run. */
export interface PeersInfo {
  readonly goVersion: string;
  readonly buildSeconds: Readonly<Record<string, number | null>>;
}

/** Which code was measured: the commit, and whether src/ or converters/ had uncommitted changes. */
export interface CodeVersion {
  readonly commit: string;
  readonly dirty: boolean;
}

export interface BenchResults {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly code?: CodeVersion;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: Machine;
  readonly config: RunConfig;
  readonly servers: Readonly<Record<string, { readonly command: string }>>;
  /** Review sizes on the wire, and how many objects hold an integer beyond 2^53. */
  readonly payloads: Readonly<
    Record<string, { readonly objects: number; readonly bytes: number; readonly int64Objects?: number }>
  >;
  readonly metrics: readonly MetricResult[];
  /** What was checked of the answers, per server. */
  readonly validation: Readonly<Record<string, readonly string[]>>;
  readonly notes: readonly string[];
  /** The Go peers, when `go` was there. */
  readonly peers?: PeersInfo;
}

/** The CPU model as /proc/cpuinfo names it (os.cpus() reads the same), or what os knows. */
export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) return m[1].trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

export function describeMachine(loadAtStart: number, otherCpuShare: number): Machine {
  return {
    otherCpuShare,
    cpus: cpus().length,
    cpuModel: cpuModel(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? NaN },
  };
}

export function codeVersion(root: string): CodeVersion | undefined {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const head = git('rev-parse', '--short=12', 'HEAD');
  if (head.status !== 0) return undefined;
  const status = git('status', '--porcelain', '--', 'src', 'converters');
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}

export const currentLoad = (): number => loadavg()[0] ?? NaN;

/** CPU time of the whole machine so far, busy and in all, in ms (Linux /proc/stat), or undefined. */
export function machineCpuMs(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...; guest time is already in user.
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
    const total = busy + (idle ?? 0) + (iowait ?? 0);
    return Number.isFinite(total) && total > 0 ? { busy: busy * 10, total: total * 10 } : undefined;
  } catch {
    return undefined;
  }
}

/** bench-2026-05-01T10-20-30Z.json: sorts by time, safe in every file system. */
export const resultsFileName = (date: Date): string =>
  `bench-${date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-')}.json`;

export function writeResults(dir: string, results: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, resultsFileName(new Date(results.startedAt)));
  // JSON has no NaN: a value that could not be measured is written as null.
  writeFileSync(
    file,
    `${JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );
  return file;
}

export function readResults(file: string): BenchResults {
  const parsed = JSON.parse(readFileSync(file, 'utf8'), (_k, v: unknown) => (v === null ? NaN : v)) as BenchResults;
  if (parsed.schema !== RESULTS_SCHEMA)
    throw new Error(
      `${file} is not a bench results file of this bench (schema ${String(parsed.schema)}, expected ${RESULTS_SCHEMA}; crdconv-bench/1 files come from the bench before the Go peers)`,
    );
  return parsed;
}
