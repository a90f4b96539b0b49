/** Tables for the terminal and the README: the run, and a run compared with an earlier one. */
import type { MetricResult } from './metrics.js';
import type { BenchResults } from './results.js';
import { SERVER_LABELS, SERVERS, type ServerName } from './servers.js';

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'req/s' || unit === 'MiB') return Math.round(value).toLocaleString('en-US');
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US');
}

const ratio = (r: number | undefined): string => (r !== undefined && Number.isFinite(r) ? `${r.toFixed(2)}x` : '');

/** The server a metric's ratios are of. */
const subjectOf = (m: MetricResult): ServerName => m.subject ?? 'service';

/** The spread of the per-repetition ratios to `peer`, when there is more than one repetition. */
const range = (m: MetricResult, peer: ServerName): string => {
  const r = m.ratioRanges[peer];
  const runs = m.values[subjectOf(m)]?.length ?? 0;
  return r && runs > 1 && Number.isFinite(r[0]) ? `${r[0].toFixed(2)}-${r[1].toFixed(2)}` : '';
};

const SHORT: Record<ServerName, string> = {
  service: 'crdconv',
  'service-2': '2 proc',
  floor: 'Node',
  'go-floor': 'Go',
  'controller-runtime': 'c-r',
};

/** A metric's targets and verdicts in one cell: `<= 1.3x Node PASS; < 1x c-r MISS`. */
export const targetsCell = (m: MetricResult): string =>
  m.targets.map((t) => `${t.op} ${t.ratio}x ${SHORT[t.vs]}${t.verdict ? ` ${t.verdict}` : ''}`).join('; ');

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

/** The servers that have a value in any metric, in the usual order. */
const serversIn = (metrics: readonly MetricResult[]): ServerName[] =>
  SERVERS.filter((s) => metrics.some((m) => m.values[s]));

/**
 * The run's table: every server side by side, the ratios of the service (or of the row's subject,
 * such as the two-process service) to each, the targets and whether they are met.
 */
export function resultsTable(metrics: readonly MetricResult[]): string {
  const servers = serversIn(metrics);
  const peers = servers.filter((s) => metrics.some((m) => m.ratios[s] !== undefined));
  const rows = metrics.map((m) => [
    `${m.label} (${m.unit})`,
    ...servers.map((s) => (m.values[s] ? formatValue(m.medians[s] ?? NaN, m.unit) : '')),
    ...peers.map((p) => ratio(m.ratios[p])),
    range(m, 'floor'),
    targetsCell(m),
  ]);
  return table(
    [
      'workload (median)',
      ...servers.map((s) => SERVER_LABELS[s]),
      ...peers.map((p) => `/${SHORT[p]}`),
      `per run /Node`,
      'targets',
    ],
    rows,
    [false, ...servers.map(() => true), ...peers.map(() => true), true, false],
  );
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
    const before = b.medians[subjectOf(b)] ?? NaN;
    const now = m.medians[subjectOf(m)] ?? NaN;
    const verdicts = (r: MetricResult) => r.targets.map((t) => t.verdict ?? '?').join('/');
    rows.push([
      `${m.label} (${m.unit})`,
      formatValue(before, m.unit),
      formatValue(now, m.unit),
      change(before, now),
      ratio(b.ratios.floor),
      ratio(m.ratios.floor),
      m.targets.length ? `${verdicts(b)} -> ${verdicts(m)}` : '',
    ]);
  }
  return table(
    ['workload (median)', 'crdconv before', 'crdconv now', 'change', '/Node before', '/Node now', 'targets'],
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
