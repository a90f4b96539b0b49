/** Tables for the terminal and the README: the run, and a run compared with an earlier one. */
import type { MetricResult } from './metrics.js';
import type { BenchResults } from './results.js';

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'req/s' || unit === 'MiB') return Math.round(value).toLocaleString('en-US');
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
}

const ratio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a');

/** The spread of the per-repetition ratios, when there is more than one repetition. */
const range = (m: MetricResult): string => {
  // From the runs themselves, so that files written before ratioRange existed show it too.
  const paired = m.service.map((v, i) => v / (m.floor[i] ?? NaN)).filter(Number.isFinite);
  return paired.length > 1 ? `${Math.min(...paired).toFixed(2)}-${Math.max(...paired).toFixed(2)}` : '';
};

/** Rows of cells as a Markdown table (also readable as plain text), columns padded. */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  rightAligned: readonly boolean[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The run's table: both servers side by side, the ratio, the target and whether it is met. */
export function resultsTable(metrics: readonly MetricResult[]): string {
  const rows = metrics.map((m) => [
    `${m.label} (${m.unit})`,
    formatValue(m.serviceMedian, m.unit),
    formatValue(m.floorMedian, m.unit),
    ratio(m.ratio),
    range(m),
    m.target ? `${m.target.op} ${m.target.ratio}x` : '',
    m.verdict ?? '',
  ]);
  return table(['workload (median)', 'service', 'floor', 'service/floor', 'per run', 'target', ''], rows, [
    false,
    true,
    true,
    true,
    true,
    true,
    false,
  ]);
}

const change = (before: number, after: number): string => {
  if (!Number.isFinite(before) || !Number.isFinite(after) || before === 0) return 'n/a';
  const pct = ((after - before) / before) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
};

/** An earlier run next to this one: the service's values, the ratios, and how each moved. */
export function comparisonTable(before: BenchResults, after: BenchResults): string {
  const earlier = new Map(before.metrics.map((m) => [m.key, m]));
  const rows: string[][] = [];
  for (const m of after.metrics) {
    const b = earlier.get(m.key);
    if (!b) continue;
    rows.push([
      `${m.label} (${m.unit})`,
      formatValue(b.serviceMedian, m.unit),
      formatValue(m.serviceMedian, m.unit),
      change(b.serviceMedian, m.serviceMedian),
      ratio(b.ratio),
      ratio(m.ratio),
      `${b.verdict ?? ''}${b.verdict || m.verdict ? ' -> ' : ''}${m.verdict ?? ''}`,
    ]);
  }
  return table(
    ['workload (median)', 'service before', 'service now', 'change', 'ratio before', 'ratio now', 'target'],
    rows,
    [false, true, true, true, true, true, false],
  );
}

/** Where a comparison is shaky: different machines, sizes or modes. */
export function comparisonCaveats(before: BenchResults, after: BenchResults): string[] {
  const notes: string[] = [];
  const m0 = before.machine;
  const m1 = after.machine;
  if (m0.cpuModel !== m1.cpuModel || m0.cpus !== m1.cpus)
    notes.push(`different machines: ${m0.cpus} x ${m0.cpuModel} before, ${m1.cpus} x ${m1.cpuModel} now`);
  if (before.code && after.code)
    notes.push(
      `code: ${before.code.commit}${before.code.dirty ? '+changes' : ''} before, ${after.code.commit}${after.code.dirty ? '+changes' : ''} now`,
    );
  if (m0.node !== m1.node) notes.push(`different Node versions: ${m0.node} before, ${m1.node} now`);
  if (before.config.mode !== after.config.mode)
    notes.push(`different modes: ${before.config.mode} before, ${after.config.mode} now`);
  for (const k of ['small', 'big', 'int64Share', 'concurrency', 'durationSeconds'] as const) {
    if (before.config[k] !== after.config[k])
      notes.push(`different ${k}: ${before.config[k]} before, ${after.config[k]} now`);
  }
  return notes;
}
