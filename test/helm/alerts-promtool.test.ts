// The chart's alerts, run by Prometheus' own rule engine: `promtool check rules` on the rendered
// PrometheusRule's groups, and `promtool test rules` with the unit tests in test/helm/promtool/
// (series in, alerts out, at given times); and every query of the Grafana dashboard parsed by the
// same PromQL parser. Needs helm (to render the rules) and promtool ($PROMTOOL,
// the build of helm/tools/build-promtool.sh in .cache/tools/, or promtool on PATH); without either
// this suite says what it skipped.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import YAML from 'yaml';
import { at, chartDir, findHelm, findManifest, helmTemplate, listFiles, readJsonFile, readText, repoRoot } from './chart.js';

const helm = findHelm();
const PROMTOOL_VERSION = 'v0.316.0'; // as pinned in helm/tools/build-promtool.sh
const unitTestsDir = path.join(repoRoot, 'test', 'helm', 'promtool');

/** A promtool that runs: $PROMTOOL, the repository's own build, or promtool on PATH. */
function findPromtool(): string | undefined {
  const candidates = [
    process.env['PROMTOOL'],
    path.join(repoRoot, '.cache', 'tools', `promtool-${PROMTOOL_VERSION}`, 'promtool'),
    'promtool',
  ].filter((c): c is string => c !== undefined && c !== '');
  return candidates.find((c) => spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0);
}

const promtool = findPromtool();

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Group {
  name: string;
  rules: Rule[];
}

/** The rule groups of the chart's PrometheusRule for release crdconv in crdconv-system. */
function renderedGroups(...settings: string[]): Group[] {
  const manifests = helmTemplate(helm as string, [
    'crdconv',
    '--namespace',
    'crdconv-system',
    '--set',
    'prometheusRule.enabled=true',
    '--set',
    'prometheusRule.alerts.apiserverConversionFailures.enabled=true',
    ...settings,
  ]);
  return at(findManifest(manifests, 'PrometheusRule'), 'spec', 'groups') as unknown as Group[];
}

function run(args: string[], cwd: string) {
  const result = spawnSync(promtool as string, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('helm: the alerts, checked and unit-tested by promtool', function () {
  this.timeout(120_000);
  let work: string;

  before(function () {
    const missing = [
      ...(helm ? [] : ['helm (export HELM="$(bash helm/tools/fetch-helm.sh)")']),
      ...(promtool ? [] : ['promtool (export PROMTOOL="$(bash helm/tools/build-promtool.sh)", which builds it with Go)']),
    ];
    if (missing.length > 0) {
      console.log(
        `    SKIPPED (no ${missing.join(' and no ')}): promtool check rules on the rendered PrometheusRule and the ` +
          `promtool unit tests in test/helm/promtool/. The alert rendering tests in monitoring.test.ts still run with helm.`,
      );
      this.skip();
    }
    work = mkdtempSync(path.join(tmpdir(), 'crdconv-promtool-'));
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('finds the unit test files', () => {
    expect(listFiles(unitTestsDir, '.test.yaml')).to.include.members(['reviews.test.yaml', 'certificates.test.yaml', 'availability.test.yaml']);
  });

  it('promtool check rules accepts the rendered rules, annotations and their templates included', () => {
    const file = path.join(work, 'full-rules.yaml');
    writeFileSync(file, YAML.stringify({ groups: renderedGroups('--set', 'prometheusRule.runbookUrl=https://runbooks.example.com/crdconv') }));
    const result = run(['check', 'rules', file], work);
    expect(result.status, result.output).to.equal(0);
    expect(result.output).to.match(/SUCCESS: 17 rules found/);
  });

  it('every query of the Grafana dashboard parses as PromQL (its variables filled in)', () => {
    const dashboard = readJsonFile(path.join(chartDir, 'dashboards', 'crdconv.json')) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).to.be.greaterThan(10);
    const filled = exprs.map((expr) =>
      expr
        .replace(/\$__rate_interval/g, '2m')
        .replace(/\$\{?(namespace|job|crd)\}?/g, (_, name: string) => `${name}-value`),
    );
    expect(filled.filter((e) => e.includes('$')), 'variables left').to.deep.equal([]);
    const file = path.join(work, 'dashboard-queries.yaml');
    writeFileSync(file, YAML.stringify({ groups: [{ name: 'dashboard', rules: filled.map((expr, i) => ({ record: `dashboard:query${i}`, expr })) }] }));
    const result = run(['check', 'rules', file], work);
    expect(result.status, result.output).to.equal(0);
    expect(result.output).to.include(`SUCCESS: ${filled.length} rules found`);
  });

  it('promtool check rules refuses a broken expression (the check can fail)', () => {
    const file = path.join(work, 'broken-rules.yaml');
    writeFileSync(file, YAML.stringify({ groups: [{ name: 'broken', rules: [{ alert: 'Broken', expr: 'sum by (kind (up)' }] }] }));
    expect(run(['check', 'rules', file], work).status).to.not.equal(0);
  });

  it('every alert fires and resolves as the unit tests in test/helm/promtool/ expect', () => {
    // promtool compares annotations verbatim; the unit tests check expressions, `for` and labels.
    const groups = renderedGroups().map((group) => ({
      ...group,
      rules: group.rules.map((rule) => Object.fromEntries(Object.entries(rule).filter(([key]) => key !== 'annotations'))),
    }));
    writeFileSync(path.join(work, 'crdconv-rules.yaml'), YAML.stringify({ groups }));
    const testFiles = listFiles(unitTestsDir, '.test.yaml');
    for (const name of testFiles) copyFileSync(path.join(unitTestsDir, name), path.join(work, name));
    const result = run(['test', 'rules', ...testFiles], work);
    expect(result.status, result.output).to.equal(0);
    for (const name of testFiles) expect(result.output).to.include(`Processing test file: ${name}`);
  });

  it('every rendered alert is exercised by some unit test', () => {
    const alerts = renderedGroups().flatMap((g) => g.rules.map((r) => r.alert).filter((a): a is string => a !== undefined));
    const tested = new Set(
      listFiles(unitTestsDir, '.test.yaml').flatMap((name) => {
        const doc = YAML.parse(readText(path.join(unitTestsDir, name))) as { tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[] };
        return doc.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname));
      }),
    );
    expect(alerts.filter((a) => !tested.has(a)), 'alerts no unit test sees firing').to.deep.equal([]);
  });

  it('a unit test fails when an alert does not behave as written (the runner can fail)', () => {
    const groups = renderedGroups().map((group) => ({
      ...group,
      rules: group.rules.map((rule) => {
        const { annotations: _annotations, ...rest } = rule;
        // The latency alert with its threshold moved past what the test's series reach.
        return rule.alert === 'CrdconvReviewLatencyHigh' ? { ...rest, expr: rest.expr.replace(/> 1\s*$/, '> 29') } : rest;
      }),
    }));
    writeFileSync(path.join(work, 'crdconv-rules.yaml'), YAML.stringify({ groups }));
    copyFileSync(path.join(unitTestsDir, 'reviews.test.yaml'), path.join(work, 'reviews.test.yaml'));
    const result = run(['test', 'rules', 'reviews.test.yaml'], work);
    expect(result.status).to.not.equal(0);
    expect(result.output).to.include('CrdconvReviewLatencyHigh');
  });
});
