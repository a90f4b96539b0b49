/**
 * What the bench reports: one metric per row, measured on both servers in every repetition,
 * summarised by medians and the ratio service/floor, checked against the targets of issue 6.
 */
import { median } from './stats.js';

export type MetricKey =
  | 'small.ms'
  | 'big.ms'
  | 'int64.ms'
  | 'single.rps'
  | 'single.p50'
  | 'single.p99'
  | 'idle.rss'
  | 'big.rss'
  | 'int64.rss'
  | 'big.cpu'
  | 'int64.cpu'
  | 'single.cpu';

/** A target on the ratio service/floor (issue 6, "Targets"). */
export interface Target {
  readonly op: '<=' | '>=';
  readonly ratio: number;
}

export interface MetricDef {
  readonly key: MetricKey;
  readonly unit: string;
  /** Which way is better for the server: lower times, higher throughput. */
  readonly better: 'lower' | 'higher';
  readonly target?: Target;
  readonly label: (sizes: Sizes) => string;
}

export interface Sizes {
  readonly small: number;
  readonly big: number;
  readonly int64Share: number;
  readonly concurrency: number;
}

const count = (n: number) => n.toLocaleString('en-US');

export const METRICS: readonly MetricDef[] = [
  { key: 'small.ms', unit: 'ms', better: 'lower', label: (s) => `review of ${count(s.small)} objects` },
  {
    key: 'big.ms',
    unit: 'ms',
    better: 'lower',
    target: { op: '<=', ratio: 1.5 },
    label: (s) => `review of ${count(s.big)} objects`,
  },
  {
    key: 'int64.ms',
    unit: 'ms',
    better: 'lower',
    target: { op: '<=', ratio: 2 },
    label: (s) => `review of ${count(s.big)}, ${+(s.int64Share * 100).toFixed(2)}% int64 > 2^53`,
  },
  {
    key: 'single.rps',
    unit: 'req/s',
    better: 'higher',
    target: { op: '>=', ratio: 0.8 },
    label: (s) => `1-object reviews, ${s.concurrency} clients`,
  },
  { key: 'single.p50', unit: 'ms', better: 'lower', label: () => '  p50 latency' },
  { key: 'single.p99', unit: 'ms', better: 'lower', target: { op: '<=', ratio: 1.5 }, label: () => '  p99 latency' },
  { key: 'idle.rss', unit: 'MiB', better: 'lower', label: () => 'RSS after start-up, idle' },
  {
    key: 'big.rss',
    unit: 'MiB',
    better: 'lower',
    target: { op: '<=', ratio: 2 },
    label: (s) => `peak RSS, review of ${count(s.big)}`,
  },
  { key: 'int64.rss', unit: 'MiB', better: 'lower', label: (s) => `peak RSS, review of ${count(s.big)} with int64` },
  // The server's own CPU time (all threads, GC included): less sensitive than wall time to other
  // work on the machine, and not limited by the load generator.
  { key: 'big.cpu', unit: 'ms', better: 'lower', label: (s) => `server CPU, review of ${count(s.big)}` },
  { key: 'int64.cpu', unit: 'ms', better: 'lower', label: (s) => `server CPU, review of ${count(s.big)} with int64` },
  { key: 'single.cpu', unit: 'us', better: 'lower', label: () => 'server CPU per 1-object review' },
];

export type Verdict = 'PASS' | 'MISS';

export interface MetricResult {
  readonly key: MetricKey;
  readonly label: string;
  readonly unit: string;
  readonly better: 'lower' | 'higher';
  /** Every repetition's value, in order. */
  readonly service: readonly number[];
  readonly floor: readonly number[];
  readonly serviceMedian: number;
  readonly floorMedian: number;
  /** serviceMedian / floorMedian. */
  readonly ratio: number;
  /** Lowest and highest ratio of one repetition's service and floor runs (how noisy the ratio is). */
  readonly ratioRange: readonly [number, number];
  readonly target?: Target;
  readonly verdict?: Verdict;
}

export const meets = (ratio: number, target: Target): boolean =>
  target.op === '<=' ? ratio <= target.ratio : ratio >= target.ratio;

/** One metric's summary from its repetitions on both servers. */
export function summarise(
  def: MetricDef,
  sizes: Sizes,
  service: readonly number[],
  floor: readonly number[],
): MetricResult {
  const serviceMedian = median(service);
  const floorMedian = median(floor);
  const ratio = serviceMedian / floorMedian;
  const paired = service.map((v, i) => v / (floor[i] ?? NaN)).filter(Number.isFinite);
  const ratioRange: [number, number] = paired.length ? [Math.min(...paired), Math.max(...paired)] : [NaN, NaN];
  return {
    key: def.key,
    label: def.label(sizes),
    unit: def.unit,
    better: def.better,
    service,
    floor,
    serviceMedian,
    floorMedian,
    ratio,
    ratioRange,
    ...(def.target && {
      target: def.target,
      ...(Number.isFinite(ratio) && { verdict: meets(ratio, def.target) ? 'PASS' : 'MISS' }),
    }),
  };
}
