// What the chart's alerts and dashboard query: metric names read out of PromQL expressions, and
// the metric names a crdconv process exposes on /metrics.

/** PromQL words that look like metric names but are not. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects. Not a parser: string literals, label matchers,
 * range brackets, grouping label lists and Grafana variables are removed, then every identifier
 * that is not a function call, a keyword or part of a number is a metric name. Enough for the
 * expressions of this chart, and tested on the forms they use.
 */
export function metricNames(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/'(?:[^'\\]|\\.)*'/g, "''")
    .replace(/`[^`]*`/g, '``')
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    const start = match.index;
    if (/[0-9.]/.test(text[start - 1] ?? '')) continue; // 1e6, 10m
    if (/^\s*\(/.test(text.slice(start + word.length))) continue; // a function
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names].sort();
}

/**
 * The sample names a Prometheus text exposition can carry, from its `# TYPE` lines (a labelled
 * counter that has not counted yet has no sample line, but its TYPE line is there): a histogram
 * gives NAME_bucket, NAME_sum and NAME_count, a summary NAME, NAME_sum and NAME_count.
 */
export function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name = '', type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  }
  return names;
}

/**
 * Metrics the alerts and the dashboard read from other exporters, each with where it comes from.
 * Anything else they query must be exposed by crdconv itself.
 */
export const EXTERNAL_METRICS: Record<string, string> = {
  up: 'Prometheus, for every scrape target',
  kube_deployment_spec_replicas: 'kube-state-metrics',
  kube_deployment_status_replicas_available: 'kube-state-metrics',
  kube_pod_container_status_restarts_total: 'kube-state-metrics',
  apiserver_crd_conversion_webhook_duration_seconds_bucket: 'kube-apiserver (apiextensions-apiserver conversion metrics)',
  apiserver_crd_conversion_webhook_duration_seconds_count: 'kube-apiserver (apiextensions-apiserver conversion metrics)',
  apiserver_conversion_webhook_request_total: 'kube-apiserver (apiextensions-apiserver conversion metrics)',
};
