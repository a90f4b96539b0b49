/**
 * What the bench reports: one metric per row, measured on every server the workload runs on, in
 * every repetition, summarised by medians and the ratios of the service to each peer, checked
 * against the targets of issue 17.
 */
import { median } from './stats.js';
import { SERVERS, type ServerName } from './servers.js';

/** The workloads: big reviews (one request, timed), and single-object load runs. */
export const WORKLOADS = [
  'small',
  'big',
  'int64',
  'gen',
  'gen-big',
  'cron',
  'cron-big',
  'single',
  'cron-single',
  'cores',
] as const;
export type Workload = (typeof WORKLOADS)[number];

export const LOAD_WORKLOADS: readonly Workload[] = ['single', 'cron-single', 'cores'];
export const isLoad = (w: Workload): boolean => LOAD_WORKLOADS.includes(w);

/** Which kind a workload sends: the CronJob ones run on controller-runtime too. */
export const isCron = (w: Workload): boolean => w.startsWith('cron');

/**
 * The servers a workload runs on: every one for the CronJob kind, all but controller-runtime
 * otherwise; `cores` compares crdconv on two processes with crdconv on one and the Node floor,
 * and only it runs the two-process instance.
 */
export const serversOf = (w: Workload, available: readonly ServerName[]): ServerName[] =>
  w === 'cores'
    ? available.filter((s) => s === 'service-2' || s === 'service' || s === 'floor')
    : available.filter((s) => s !== 'service-2' && (s !== 'controller-runtime' || isCron(w)));

export type MetricKey = string;

/** A target on the ratio subject/other (issue 17, "Targets"). */
export interface Target {
  readonly vs: ServerName;
  readonly op: '<=' | '>=' | '<' | '>';
  readonly ratio: number;
}

export interface MetricDef {
  readonly key: MetricKey;
  /** The server whose value the ratios divide (default: the service). */
  readonly subject?: ServerName;
  readonly workload: Workload | 'idle';
  readonly unit: string;
  /** Which way is better for the server: lower times, higher throughput. */
  readonly better: 'lower' | 'higher';
  readonly targets: readonly Target[];
  readonly label: (sizes: Sizes) => string;
}

export interface Sizes {
  readonly small: number;
  readonly big: number;
  readonly int64Share: number;
  readonly concurrency: number;
}

const count = (n: number) => n.toLocaleString('en-US');

const REVIEW_LABELS: Record<string, (s: Sizes) => string> = {
  small: (s) => `Database, ${count(s.small)} objects`,
  big: (s) => `Database, ${count(s.big)} objects`,
  int64: (s) => `Database, ${count(s.big)}, ${+(s.int64Share * 100).toFixed(2)}% int64 > 2^53`,
  gen: (s) => `generated Database, ${count(s.small)}`,
  'gen-big': (s) => `generated Database, ${count(s.big)}`,
  cron: (s) => `CronJob, ${count(s.small)} objects`,
  'cron-big': (s) => `CronJob, ${count(s.big)} objects`,
};

/** The list targets: at most 1.3x the Node floor; on the CronJob kind, faster than controller-runtime. */
const listTargets = (w: Workload): Target[] => [
  { vs: 'floor', op: '<=', ratio: 1.3 },
  ...(isCron(w) ? [{ vs: 'controller-runtime', op: '<', ratio: 1 } as const] : []),
];

/** Every metric of the given workloads, in table order. */
export function metricsFor(workloads: readonly Workload[]): MetricDef[] {
  const defs: MetricDef[] = [];
  for (const w of WORKLOADS) {
    if (!workloads.includes(w)) continue;
    if (w === 'cores') {
      defs.push(...coresMetrics());
      continue;
    }
    if (isLoad(w)) {
      const kind = w === 'single' ? 'Database' : 'CronJob';
      defs.push(
        {
          key: `${w}.rps`,
          workload: w,
          unit: 'req/s',
          better: 'higher',
          targets: [
            { vs: 'floor', op: '>=', ratio: 0.9 },
            ...(isCron(w) ? [{ vs: 'controller-runtime', op: '>', ratio: 1 } as const] : []),
          ],
          label: (s) => `${kind} 1-object reviews, ${s.concurrency} clients`,
        },
        ...latencyAndCpu(w),
      );
      continue;
    }
    const label = REVIEW_LABELS[w]!;
    defs.push({ key: `${w}.ms`, workload: w, unit: 'ms', better: 'lower', targets: listTargets(w), label });
    // The server's own CPU time (all threads and processes, GC included): less sensitive than wall
    // time to other work on the machine.
    defs.push({
      key: `${w}.cpu`,
      workload: w,
      unit: 'ms',
      better: 'lower',
      targets: [],
      label: (s) => `  server CPU, ${label(s)}`,
    });
  }
  defs.push({
    key: 'idle.rss',
    workload: 'idle',
    unit: 'MiB',
    better: 'lower',
    targets: [],
    label: () => 'RSS after start-up, idle',
  });
  for (const w of ['big', 'int64', 'gen-big', 'cron-big'] as const) {
    if (!workloads.includes(w)) continue;
    defs.push({
      key: `${w}.rss`,
      workload: w,
      unit: 'MiB',
      better: 'lower',
      targets: w === 'big' ? [{ vs: 'floor', op: '<=', ratio: 1.5 }] : [],
      label: (s) => `peak RSS, ${REVIEW_LABELS[w]!(s)}`,
    });
  }
  return defs;
}

function latencyAndCpu(w: Workload, subject?: ServerName): MetricDef[] {
  const of = subject !== undefined ? { subject } : {};
  return [
    { key: `${w}.p50`, ...of, workload: w, unit: 'ms', better: 'lower', targets: [], label: () => '  p50 latency' },
    {
      key: `${w}.p99`,
      ...of,
      workload: w,
      unit: 'ms',
      better: 'lower',
      targets: [{ vs: 'floor', op: '<=', ratio: 1.3 }],
      label: () => '  p99 latency',
    },
    {
      key: `${w}.cpu`,
      ...of,
      workload: w,
      unit: 'us',
      better: 'lower',
      targets: [],
      label: () => '  server CPU per review',
    },
  ];
}

/**
 * Two CPUs: single-object Database reviews on `crdconv serve --workers 2` (the subject), next to
 * the service on one process and the Node floor, in the same repetitions. Its throughput should
 * be 1.8x the one process's, and meet the single-object targets against the floor.
 */
function coresMetrics(): MetricDef[] {
  return [
    {
      key: 'cores.rps',
      subject: 'service-2',
      workload: 'cores',
      unit: 'req/s',
      better: 'higher',
      targets: [
        { vs: 'floor', op: '>=', ratio: 0.9 },
        { vs: 'service', op: '>=', ratio: 1.8 },
      ],
      label: (s) => `Database 1-object reviews, ${s.concurrency} clients, on 2 processes`,
    },
    ...latencyAndCpu('cores', 'service-2'),
  ];
}

export type Verdict = 'PASS' | 'MISS';

export interface TargetResult extends Target {
  /** Absent when the peer's value could not be measured. */
  readonly verdict?: Verdict;
}

export interface MetricResult {
  readonly key: MetricKey;
  readonly label: string;
  readonly unit: string;
  readonly better: 'lower' | 'higher';
  /** The server the ratios are of (absent: the service). */
  readonly subject?: ServerName;
  /** Every repetition's value, in order, per server that ran it. */
  readonly values: Partial<Record<ServerName, readonly number[]>>;
  readonly medians: Partial<Record<ServerName, number>>;
  /** median(subject) / median(other), for each other server that ran it. */
  readonly ratios: Partial<Record<ServerName, number>>;
  /** Lowest and highest ratio of one repetition's subject and other runs (how noisy the ratio is). */
  readonly ratioRanges: Partial<Record<ServerName, readonly [number, number]>>;
  readonly targets: readonly TargetResult[];
}

export const meets = (ratio: number, target: Target): boolean => {
  switch (target.op) {
    case '<=':
      return ratio <= target.ratio;
    case '>=':
      return ratio >= target.ratio;
    case '<':
      return ratio < target.ratio;
    case '>':
      return ratio > target.ratio;
  }
};

/** One metric's summary from its repetitions on every server. */
export function summarise(
  def: MetricDef,
  sizes: Sizes,
  values: Partial<Record<ServerName, readonly number[]>>,
): MetricResult {
  const medians: Partial<Record<ServerName, number>> = {};
  for (const [s, v] of Object.entries(values) as Array<[ServerName, readonly number[]]>) medians[s] = median(v);
  const ratios: Partial<Record<ServerName, number>> = {};
  const ratioRanges: Partial<Record<ServerName, readonly [number, number]>> = {};
  const subject = def.subject ?? 'service';
  const ours = values[subject] ?? [];
  for (const other of SERVERS) {
    const theirs = values[other];
    if (other === subject || !theirs) continue;
    ratios[other] = (medians[subject] ?? NaN) / (medians[other] ?? NaN);
    const paired = ours.map((v, i) => v / (theirs[i] ?? NaN)).filter(Number.isFinite);
    ratioRanges[other] = paired.length ? [Math.min(...paired), Math.max(...paired)] : [NaN, NaN];
  }
  const targets: TargetResult[] = def.targets
    .filter((t) => values[t.vs])
    .map((t) => {
      const r = ratios[t.vs] ?? NaN;
      return Number.isFinite(r) ? { ...t, verdict: meets(r, t) ? 'PASS' : 'MISS' } : { ...t };
    });
  return {
    key: def.key,
    label: def.label(sizes),
    unit: def.unit,
    better: def.better,
    ...(def.subject !== undefined && { subject: def.subject }),
    values,
    medians,
    ratios,
    ratioRanges,
    targets,
  };
}
