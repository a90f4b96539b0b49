// The chart's monitoring: the Grafana dashboard (dashboards/crdconv.json) and the PrometheusRule.
// Every metric they query must be one the service exposes on /metrics (scraped from a real
// service started in this process) or one named in EXTERNAL_METRICS with its source; the dashboard
// must show every crdconv metric. The rendering checks need helm ($HELM or `helm` on PATH) and say
// what they skipped without it; promtool runs the rules in alerts-promtool.test.ts.
import path from 'node:path';
import { expect } from 'chai';
import { at, chartDir, findHelm, findManifest, helmTemplate, isObject, readJsonFile, readText, runHelm, type Manifest } from './chart.js';
import { validateManifest } from './kubernetes-schema.js';
import { EXTERNAL_METRICS, exposedNames, metricNames } from './promql.js';
import { httpGet, startTestService, type TestService } from '../support/service.js';

const helm = findHelm();
const dashboardFile = path.join(chartDir, 'dashboards', 'crdconv.json');

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}

const dashboard = readJsonFile(dashboardFile) as Dashboard;
const allPanels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const dashboardExprs = () => allPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Metric names of the expressions, without the ones other exporters provide. */
const crdconvNames = (exprs: string[]) => [...new Set(exprs.flatMap(metricNames))].filter((n) => !(n in EXTERNAL_METRICS));

describe('helm: metric names in PromQL (the checker of the monitoring tests)', () => {
  it('finds selected metrics and nothing else', () => {
    expect(metricNames('sum by (kind, from) (rate(crdconv_conversion_objects_total{job="x", result=~"a|b"}[5m])) > 0')).to.deep.equal([
      'crdconv_conversion_objects_total',
    ]);
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le) (rate(a_bucket{namespace="$namespace"}[$__rate_interval]))) / ignoring (result) group_left sum without (pod) (b) or c offset 10m unless on (x) d > 1e6',
      ),
    ).to.deep.equal(['a_bucket', 'b', 'c', 'd']);
    expect(metricNames('(x > 0) - time() < 21 * 86400')).to.deep.equal(['x']);
    expect(metricNames('absent(up{job="by"})')).to.deep.equal(['up']);
  });

  it('reads the names an exposition offers, histogram series included', () => {
    const names = exposedNames('# HELP a x\n# TYPE a counter\na 1\n# TYPE h histogram\nh_bucket{le="1"} 0\n# TYPE g gauge\n');
    expect([...names].sort()).to.deep.equal(['a', 'g', 'h_bucket', 'h_count', 'h_sum']);
  });
});

describe('helm: the Grafana dashboard', () => {
  it('is a Grafana dashboard with a uid, a title and panels with queries', () => {
    expect(dashboard.uid).to.match(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.title).to.be.a('string').and.not.empty;
    expect(dashboard.schemaVersion).to.be.a('number');
    const queried = allPanels.filter((p) => p.type !== 'row');
    expect(queried.length).to.be.greaterThan(10);
    for (const panel of queried) expect(panel.targets ?? [], panel.title).to.not.be.empty;
    for (const { panel, expr } of dashboardExprs()) expect(expr, panel).to.be.a('string').and.not.empty;
  });

  it('has unique panel ids and panels that fit the 24-column grid without overlapping', () => {
    const ids = allPanels.map((p) => p.id);
    expect(new Set(ids).size, 'unique ids').to.equal(ids.length);
    const cells = new Map<string, string>();
    for (const panel of allPanels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, `${panel.title}: within 24 columns`).to.be.at.most(24);
      for (let row = y; row < y + h; row++)
        for (let col = x; col < x + w; col++) {
          const key = `${row}:${col}`;
          expect(cells.get(key), `${panel.title} overlaps`).to.equal(undefined);
          cells.set(key, panel.title);
        }
    }
  });

  it('defines every variable its queries use', () => {
    const defined = new Set(dashboard.templating.list.map((v) => v.name));
    const used = new Set(
      dashboardExprs().flatMap(({ expr }) => [...expr.matchAll(/\$\{?(\w+)/g)].map((m) => m[1] as string)).filter((name) => !name.startsWith('__')),
    );
    expect([...used].filter((name) => !defined.has(name))).to.deep.equal([]);
    expect([...used]).to.include.members(['namespace', 'job']);
    // Every query datasource is the datasource variable, so the dashboard works in any Grafana.
    const datasources = allPanels.filter((p) => p.type !== 'row').map((p) => JSON.stringify(at(p, 'datasource')));
    expect(new Set(datasources)).to.deep.equal(new Set([JSON.stringify({ type: 'prometheus', uid: '${datasource}' })]));
  });

  it('selects crdconv series by the namespace and release variables', () => {
    for (const { panel, expr } of dashboardExprs()) {
      for (const selector of expr.matchAll(/(crdconv_\w+|process_\w+|nodejs_\w+|up)\{([^}]*)\}/g)) {
        expect(selector[2], `${panel}: ${selector[0]}`).to.include('namespace="$namespace"').and.include('job="$job"');
      }
    }
  });
});

describe('helm: alerts and dashboard query only metrics that exist', function () {
  this.timeout(60_000);
  let service: TestService;
  let exposed: Set<string>;

  before(async () => {
    service = await startTestService();
    const answer = await httpGet(service.service.metricsPort as number, '/metrics');
    expect(answer.status).to.equal(200);
    exposed = exposedNames(answer.text);
  });
  after(async () => {
    await service?.stop();
  });

  /** Names the service does not expose. */
  const missing = (names: string[]) => names.filter((n) => !exposed.has(n));

  it('the scrape has the service metrics the checks rely on', () => {
    expect(exposed).to.include.members([
      'crdconv_conversion_reviews_total',
      'crdconv_review_duration_seconds_bucket',
      'crdconv_rejection_loop_objects',
      'process_cpu_seconds_total',
    ]);
  });

  it('every metric the dashboard queries is exposed by the service or named as external', () => {
    expect(missing(crdconvNames(dashboardExprs().map((e) => e.expr)))).to.deep.equal([]);
  });

  it('the dashboard shows every crdconv metric the service exposes', () => {
    const queried = new Set(dashboardExprs().flatMap(({ expr }) => metricNames(expr)));
    const crdconv = [...exposed].filter((n) => n.startsWith('crdconv_') && !/_(sum|count)$/.test(n));
    expect(crdconv.filter((n) => !queried.has(n))).to.deep.equal([]);
  });

  it('every metric the rendered alerts query is exposed by the service or named as external', function () {
    if (!helm) {
      console.log('    SKIPPED (no helm): the alerts are rendered with helm. export HELM="$(bash helm/tools/fetch-helm.sh)"');
      this.skip();
    }
    const rule = findManifest(
      helmTemplate(helm, ['crdconv', '--set', 'prometheusRule.enabled=true', '--set', 'prometheusRule.alerts.apiserverConversionFailures.enabled=true']),
      'PrometheusRule',
    );
    const exprs = (at(rule, 'spec', 'groups', 0, 'rules') as { expr: string }[]).map((r) => r.expr);
    const names = crdconvNames(exprs);
    expect(names).to.include('crdconv_conversion_reviews_total');
    expect(missing(names)).to.deep.equal([]);
    // And the external ones each alert uses are really named in the list (not silently skipped).
    const external = [...new Set(exprs.flatMap(metricNames))].filter((n) => n in EXTERNAL_METRICS);
    expect(external).to.include.members(['up', 'kube_deployment_status_replicas_available', 'kube_pod_container_status_restarts_total']);
  });
});

describe('helm: rendering the PrometheusRule and the dashboard ConfigMap', function () {
  this.timeout(60_000);
  const render = (...args: string[]) => helmTemplate(helm as string, ['conv', '--namespace', 'webhooks', ...args]);
  const rulesOf = (manifests: Manifest[]) => at(findManifest(manifests, 'PrometheusRule'), 'spec', 'groups', 0, 'rules') as Record<string, unknown>[];
  const alertNames = (manifests: Manifest[]) => rulesOf(manifests).map((r) => r['alert']);

  before(function () {
    if (!helm) {
      console.log(
        '    SKIPPED (no helm on PATH and no $HELM): the PrometheusRule and dashboard ConfigMap rendered on and off, ' +
          'their values and schema validation. export HELM="$(bash helm/tools/fetch-helm.sh)"',
      );
      this.skip();
    }
  });

  it('helm lint --strict passes with every optional object on', () => {
    const on = ['prometheusRule.enabled', 'prometheusRule.alerts.apiserverConversionFailures.enabled', 'grafanaDashboard.enabled', 'autoscaling.enabled', 'metrics.serviceMonitor.enabled'];
    const result = runHelm(helm as string, ['lint', '--strict', chartDir, ...on.flatMap((key) => ['--set', `${key}=true`])]);
    expect(result.status, `${result.stdout}${result.stderr}`).to.equal(0);
  });

  it('renders neither by default', () => {
    const kinds = render().map((m) => m.kind);
    expect(kinds).to.not.include('PrometheusRule');
    expect(kinds).to.not.include('ConfigMap');
  });

  it('renders a valid PrometheusRule whose alerts read this release and carry the values', async () => {
    const manifests = render(
      '--set', 'prometheusRule.enabled=true',
      '--set', 'prometheusRule.labels.release=prometheus',
      '--set', 'prometheusRule.alertLabels.team=platform',
      '--set', 'prometheusRule.runbookUrl=https://runbooks.example.com/crdconv',
      '--set-json', 'prometheusRule.alerts.reviewFailures.ratio=0.2',
      '--set', 'prometheusRule.alerts.reviewFailures.for=15m',
      '--set', 'prometheusRule.alerts.reviewFailures.severity=page',
      '--set', 'prometheusRule.alerts.latencyNearTimeout.seconds=25',
      '--set', 'prometheusRule.alerts.certificateExpiryWarning.days=45',
      '--set', 'prometheusRule.alerts.restarts.restarts=5',
    );
    const rule = findManifest(manifests, 'PrometheusRule');
    expect((await validateManifest(rule)).problems).to.deep.equal([]);
    expect(rule.metadata['namespace']).to.equal('webhooks');
    expect(at(rule, 'metadata', 'labels', 'release')).to.equal('prometheus');
    const rules = rulesOf(manifests);
    expect(rules.map((r) => r['alert'])).to.have.members([
      'CrdconvConversionReviewsFailing', 'CrdconvReviewsThrottled', 'CrdconvObjectConversionFailures', 'CrdconvDecodeFailures', 'CrdconvReviewLatencyHigh',
      'CrdconvReviewLatencyNearTimeout', 'CrdconvCertificateExpiresSoon', 'CrdconvCertificateExpiryCritical', 'CrdconvCertificateReloadFailed',
      'CrdconvStashRejected', 'CrdconvRejectionLoop', 'CrdconvTargetDown', 'CrdconvMetricsAbsent', 'CrdconvReplicasUnavailable',
      'CrdconvNoReplicaAvailable', 'CrdconvRestarting',
    ]);
    const byName = (name: string) => rules.find((r) => r['alert'] === name) as Record<string, unknown>;
    const reviews = byName('CrdconvConversionReviewsFailing');
    expect(reviews['expr']).to.match(/> 0\.2\s*$/);
    expect(reviews['for']).to.equal('15m');
    expect(reviews['labels']).to.deep.equal({ severity: 'page', team: 'platform' });
    expect(at(reviews, 'annotations', 'runbook_url')).to.equal('https://runbooks.example.com/crdconv#crdconvconversionreviewsfailing');
    expect(byName('CrdconvReviewLatencyNearTimeout')['expr']).to.match(/> 25\s*$/);
    expect(byName('CrdconvCertificateExpiresSoon')['expr']).to.match(/< 45 \* 86400\s*$/);
    expect(byName('CrdconvRestarting')['expr']).to.match(/>= 5\s*$/);
    // The crdconv series of this release: the job is the Service's name, in the release namespace.
    for (const r of rules.filter((x) => String(x['expr']).includes('crdconv_')))
      expect(r['expr'], String(r['alert'])).to.include('job="conv-crdconv", namespace="webhooks"');
    expect(byName('CrdconvNoReplicaAvailable')['expr']).to.include('namespace="webhooks", deployment="conv-crdconv"');
    expect(byName('CrdconvRestarting')['expr']).to.include('pod=~"conv-crdconv-[a-z0-9]+-[a-z0-9]+"');
    for (const r of rules) {
      expect(at(r, 'annotations', 'summary'), String(r['alert'])).to.be.a('string').and.not.empty;
      expect(at(r, 'annotations', 'description'), String(r['alert'])).to.be.a('string').and.not.empty;
    }
  });

  it('drops disabled alerts, adds the apiserver alert on request, and takes a selector and namespace', () => {
    const manifests = render(
      '--set', 'prometheusRule.enabled=true',
      '--set', 'prometheusRule.namespace=monitoring',
      '--set', 'prometheusRule.selector=job="kubernetes-pods"\\, app="crdconv"',
      '--set', 'prometheusRule.alerts.restarts.enabled=false',
      '--set', 'prometheusRule.alerts.stashRejected.enabled=false',
      '--set', 'prometheusRule.alerts.apiserverConversionFailures.enabled=true',
      '--set', 'prometheusRule.alerts.apiserverConversionFailures.selector=job="apiserver"',
    );
    expect(findManifest(manifests, 'PrometheusRule').metadata['namespace']).to.equal('monitoring');
    const names = alertNames(manifests);
    expect(names).to.not.include('CrdconvRestarting');
    expect(names).to.not.include('CrdconvStashRejected');
    expect(names).to.include('CrdconvApiserverConversionFailures');
    const rules = rulesOf(manifests);
    expect(rules.find((r) => r['alert'] === 'CrdconvTargetDown')?.['expr']).to.include('up{job="kubernetes-pods", app="crdconv"} == 0');
    const apiserver = String(rules.find((r) => r['alert'] === 'CrdconvApiserverConversionFailures')?.['expr']);
    expect(apiserver).to.include('job="apiserver", crd_name=~"');
    // Every CRD of the chart, dots escaped so that they match only themselves.
    const crdNames = (render().filter((m) => m.kind === 'CustomResourceDefinition').map((m) => String(m.metadata['name'])));
    expect(crdNames).to.not.be.empty;
    for (const name of crdNames) expect(apiserver).to.include(name.replace(/\./g, '\\\\.'));
  });

  it('refuses alert values that make no sense (values.schema.json)', () => {
    for (const [setting, message] of [
      ['prometheusRule.alerts.reviewFailures.ratio=5', /ratio/],
      ['prometheusRule.alerts.reviewFailures.ratio=0.1', /ratio.*got string/],
      ['prometheusRule.alerts.latencyHigh.seconds=45', /seconds/],
      ['prometheusRule.alerts.objectFailures.for=5 minutes', /for/],
      ['prometheusRule.alerts.targetDown.threshold=1', /targetDown/],
      ['prometheusRule.selector=job=crdconv', /selector/],
      ['prometheusRule.runbookUrl=runbooks', /runbookUrl/],
    ] as const) {
      const result = helmTemplate.bind(null, helm as string, ['conv', '--set', setting]);
      expect(result, setting).to.throw(message);
    }
  });

  it('puts the dashboard into a ConfigMap for the Grafana sidecar', async () => {
    const manifests = render(
      '--set', 'grafanaDashboard.enabled=true',
      '--set', 'grafanaDashboard.namespace=grafana',
      '--set', 'grafanaDashboard.annotations.grafana_folder=Kubernetes',
    );
    const configMap = findManifest(manifests, 'ConfigMap', 'conv-crdconv-dashboard');
    expect((await validateManifest(configMap)).problems).to.deep.equal([]);
    expect(configMap.metadata['namespace']).to.equal('grafana');
    expect(at(configMap, 'metadata', 'labels', 'grafana_dashboard')).to.equal('1');
    expect(at(configMap, 'metadata', 'annotations')).to.deep.equal({ grafana_folder: 'Kubernetes' });
    const data = at(configMap, 'data', 'crdconv.json');
    expect(JSON.parse(String(data))).to.deep.equal(dashboard);
    expect(String(data).trim()).to.equal(readText(dashboardFile).trim());
    const relabelled = render(
      '--set', 'grafanaDashboard.enabled=true',
      '--set', 'grafanaDashboard.labels.grafana_dashboard=null',
      '--set', 'grafanaDashboard.labels.dashboards=crdconv',
    );
    const labels = at(findManifest(relabelled, 'ConfigMap'), 'metadata', 'labels');
    expect(isObject(labels) && labels['dashboards']).to.equal('crdconv');
    expect(isObject(labels) && labels['grafana_dashboard']).to.equal(undefined);
  });
});
