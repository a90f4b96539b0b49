/**
 * Chaos against the real kube-apiserver calling crdconv (issue 18): one fault at a time, what a
 * client sees, how long until it recovers, and that no stored object changed (each scenario
 * compares the raw JSON read at the storage version, which needs no conversion, before and after).
 * Every apiserver message seen is printed as `CHAOS <scenario>: ...` (docs/failure-modes.md
 * quotes them).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { helmTemplate } from '../helm/chart.js';
import { repoRoot } from './cluster/cluster.js';
import { applyChartCrds, e2e, freshNamespace, routeServiceTo, untilRead, waitEstablished } from './support/env.js';
import type { Obj } from './support/kube.js';
import { requestOf, startFakeWebhook } from './support/fakeWebhook.js';
import {
  freePort,
  httpText,
  parseMetrics,
  routeTo,
  running,
  sleep,
  snapshot,
  startProxy,
  startReplica,
  statusMessage,
  total,
  type Replica,
} from './chaos/tools.js';

const CRD = 'backends.stable.example.com';
const log = (label: string, message: string): void => {
  process.stderr.write(`CHAOS ${label}: ${message}\n`);
};

describe('chaos: faults between the real apiserver and crdconv (issue 18)', function () {
  this.timeout(120_000);
  let ns: string;
  const replicas: Replica[] = [];
  const v1 = () => `/apis/stable.example.com/v1/namespaces/${ns}/backends`;
  const v2 = () => `/apis/stable.example.com/v2/namespaces/${ns}/backends`;
  let baseline: Map<string, string>;

  const start = async (host = '127.0.0.1', port = 0, args: readonly string[] = []): Promise<Replica> => {
    const r = await startReplica(e2e().webhook.certDir, host, port, args);
    replicas.push(r);
    return r;
  };
  const kill = async (r: Replica, signal: NodeJS.Signals): Promise<{ code: number | null }> => {
    r.child.kill(signal);
    return r.exited;
  };
  /** A GET of one object at v2 (always through the webhook) and a LIST at v2. */
  const readBoth = async (): Promise<{ get: number; list: number; getText: string; listText: string }> => {
    const { kube } = e2e();
    const [g, l] = await Promise.all([kube.raw('GET', `${v2()}/a`), kube.raw('GET', v2())]);
    return { get: g.status, list: l.status, getText: g.text, listText: l.text };
  };
  const healthy = (timeoutMs = 60_000) => untilRead(e2e().kube, `${v2()}/a`, (s) => s === 200, timeoutMs);
  /** No stored object changed since the scenario began (the objects of `baseline`). */
  const undamaged = async (): Promise<void> => {
    const after = await snapshot(e2e().kube, v1());
    for (const [name, json] of baseline) expect(after.get(name), `stored ${name}`).to.equal(json);
  };

  before(async () => {
    const { kube } = e2e();
    await applyChartCrds(e2e());
    ns = await freshNamespace(kube, 'chaos');
    for (const [name, hostPort] of [
      ['a', 'a.example.com:1'],
      ['b', 'bäckend-✓.例え.jp:5432:extra'],
      ['c', '[::1]:8443'],
    ] as const) {
      await kube.create(v1(), { apiVersion: 'stable.example.com/v1', kind: 'Backend', metadata: { name }, hostPort });
    }
  });
  beforeEach(async () => {
    baseline = await snapshot(e2e().kube, v1());
  });
  afterEach(async () => {
    await undamaged();
  });
  after(async function () {
    this.timeout(60_000);
    for (const r of replicas) if (running(r)) await kill(r, 'SIGKILL');
    const env = e2e();
    await applyChartCrds(env);
    await routeServiceTo(env.kube, env.webhook.port);
    await untilRead(env.kube, `${v2()}/a`, (s) => s === 200);
  });

  it('a. the webhook killed (SIGKILL) during a LIST, then restarted on its port', async () => {
    const { kube } = e2e();
    const first = await start();
    await routeTo(kube, ['127.0.0.1'], first.port);
    await healthy();
    // A LIST in flight while the process dies, then reads while it is down.
    const listing = kube.raw('GET', v2());
    const killedAt = Date.now();
    await kill(first, 'SIGKILL');
    const inFlight = await listing;
    log('a list-in-flight', `HTTP ${inFlight.status} ${statusMessage(inFlight.text).slice(0, 300)}`);
    // A write while the webhook is down: v2's watch cache cannot take the new object in, so the
    // LIST can no longer be answered from it.
    await kube.create(v1(), {
      apiVersion: 'stable.example.com/v1',
      kind: 'Backend',
      metadata: { name: 'written-while-down' },
      hostPort: 'w:1',
    });
    const down = await untilRead(kube, v2(), (s) => s !== 200, 30_000);
    const downGet = await kube.raw('GET', `${v2()}/a`);
    log('a list-down', `HTTP ${down.status} ${statusMessage(down.text)}`);
    log('a get-down', `HTTP ${downGet.status} ${statusMessage(downGet.text)}`);
    expect(downGet.status).to.equal(500);
    expect(statusMessage(downGet.text)).to.include('connect: connection refused');
    expect(down.status).to.be.oneOf([429, 500, 504]);
    await sleep(2_000); // down for a while, as a crash-looping container is
    const restartAt = Date.now();
    const second = await start('127.0.0.1', first.port);
    const listeningAt = Date.now();
    await healthy();
    const getOkAt = Date.now();
    const list = await untilRead(kube, v2(), (s) => s === 200, 60_000);
    const listOkAt = Date.now();
    const names = ((JSON.parse(list.text) as Obj)['items'] as Obj[]).map((o) => (o['metadata'] as Obj)['name']);
    expect(names).to.include.members(['a', 'b', 'c', 'written-while-down']);
    log(
      'a recovery',
      `killed->restarted ${restartAt - killedAt} ms; process start ${listeningAt - restartAt} ms; ` +
        `listening->GET ok ${getOkAt - listeningAt} ms; listening->LIST ok ${listOkAt - listeningAt} ms; ` +
        `total outage ${listOkAt - killedAt} ms`,
    );
    expect(listOkAt - listeningAt, 'recovered within 30 s of listening').to.be.below(30_000);
    expect(running(second)).to.equal(true);
  });

  it('b. two replicas behind one EndpointSlice, restarted one after the other (SIGTERM): no failed read', async () => {
    const { kube } = e2e();
    const port = await freePort();
    const args = ['--shutdown-delay', '2s', '--shutdown-grace', '10s'];
    const hosts = ['127.0.0.1', '127.0.0.2'];
    const live = new Map<string, Replica>();
    for (const h of hosts) live.set(h, await start(h, port, args));
    await routeTo(kube, hosts, port);
    await healthy();
    let reads = 0;
    const failures: string[] = [];
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const r = await readBoth();
        reads++;
        if (r.get !== 200) failures.push(`GET ${r.get}: ${statusMessage(r.getText)}`);
        if (r.list !== 200) failures.push(`LIST ${r.list}: ${statusMessage(r.listText)}`);
        await sleep(20);
      }
    })();
    const served: number[] = [];
    const exits: (number | null)[] = [];
    try {
      await sleep(1_000);
      for (const h of hosts) {
        const old = live.get(h)!;
        served.push(
          total(parseMetrics(await httpText(old.metricsPort, '/metrics')), 'crdconv_conversion_reviews_total'),
        );
        // As the EndpointSlice controller does when the pod turns unready: the endpoint goes first.
        await routeTo(
          kube,
          hosts.filter((x) => x !== h),
          port,
        );
        await sleep(1_000);
        exits.push((await kill(old, 'SIGTERM')).code);
        live.set(h, await start(h, port, args));
        await routeTo(kube, hosts, port);
        await sleep(1_500);
      }
    } finally {
      stop = true;
      await reader;
    }
    log(
      'b rolling',
      `${reads} GET+LIST pairs, ${failures.length} failed; reviews per replica before its restart ${served.join(', ')}`,
    );
    for (const f of failures.slice(0, 5)) log('b failed-read', f);
    expect(exits, 'clean drains').to.deep.equal([0, 0]);
    expect(reads).to.be.above(20);
    expect(failures).to.deep.equal([]);
    for (const r of live.values()) expect(running(r)).to.equal(true);
  });

  it("c. latency: 2 s is fine; 31 s fails at the apiserver's 30 s; then it recovers", async function () {
    this.timeout(150_000);
    const { kube } = e2e();
    const backend = await start();
    const proxy = await startProxy(backend.port);
    try {
      await routeTo(kube, ['127.0.0.1'], proxy.port);
      await untilRead(kube, `${v2()}/a`, (s) => s === 200 && proxy.connections() > 0);
      proxy.delayMs = 2_000;
      let t = Date.now();
      const slow = await kube.raw('GET', `${v2()}/a`);
      const slowMs = Date.now() - t;
      log('c delay-2s', `HTTP ${slow.status} after ${slowMs} ms`);
      expect(slow.status).to.equal(200);
      expect(slowMs).to.be.at.least(1_900);

      proxy.delayMs = 31_000;
      t = Date.now();
      const late = await kube.raw('GET', `${v2()}/a`, { timeoutMs: 90_000 });
      const lateMs = Date.now() - t;
      log('c delay-31s', `HTTP ${late.status} after ${lateMs} ms: ${statusMessage(late.text)}`);
      expect(late.status).to.equal(500);
      expect(lateMs).to.be.within(29_000, 40_000);
      expect(statusMessage(late.text)).to.match(
        // Three wordings seen, depending on which of client-go's timers fires first.
        /convert\?timeout=30s": (context deadline exceeded|net\/http: request canceled \(Client\.Timeout exceeded while awaiting headers\)|context deadline exceeded \(Client\.Timeout exceeded while awaiting headers\))$/,
      );

      proxy.delayMs = 0;
      t = Date.now();
      await healthy();
      log('c recovery', `first good GET ${Date.now() - t} ms after the delay was removed`);
      expect(Date.now() - t).to.be.below(5_000);
    } finally {
      await proxy.close();
    }
  });

  it('d. connection resets, an HTTP 500 and a malformed body: what the client sees, then recovery', async () => {
    const { kube } = e2e();
    const backend = await start();
    const proxy = await startProxy(backend.port);
    const fake = await startFakeWebhook(e2e().webhook.certDir, () => ({ status: 500, body: 'fake webhook: oops' }));
    try {
      await routeTo(kube, ['127.0.0.1'], proxy.port);
      await untilRead(kube, `${v2()}/a`, (s) => s === 200 && proxy.connections() > 0);
      proxy.setMode('reset');
      const reset = await kube.raw('GET', `${v2()}/a`);
      log('d reset', `HTTP ${reset.status} ${statusMessage(reset.text)}`);
      expect(reset.status).to.equal(500);
      expect(statusMessage(reset.text)).to.match(
        /conversion webhook for stable\.example\.com\/v1, Kind=Backend failed: Post /,
      );
      proxy.setMode('forward');
      let t = Date.now();
      await healthy();
      log('d reset-recovery', `${Date.now() - t} ms`);

      await routeTo(kube, ['127.0.0.1'], fake.port);
      const http500 = await untilRead(kube, `${v2()}/a`, (s) => s !== 200 && fake.requests.length > 0);
      log('d http-500', `HTTP ${http500.status} ${statusMessage(http500.text)}`);
      expect(statusMessage(http500.text)).to.include(
        'Kind=Backend failed: an error on the server ("unknown") has prevented the request from succeeding',
      );
      fake.respond = () => ({ body: '{"apiVersion": "apiextensions.k8s.io/v1", "kind": "ConversionRev' });
      const n = fake.requests.length;
      const malformed = await untilRead(
        kube,
        `${v2()}/a`,
        (s, text) => s !== 200 && fake.requests.length > n && !text.includes('oops'),
      );
      log('d malformed', `HTTP ${malformed.status} ${statusMessage(malformed.text)}`);
      expect(malformed.status).to.equal(500);
      expect(statusMessage(malformed.text)).to.include(
        'conversion webhook for stable.example.com/v1, Kind=Backend failed:',
      );

      await routeTo(kube, ['127.0.0.1'], backend.port);
      t = Date.now();
      await healthy();
      log('d fake-recovery', `${Date.now() - t} ms after the EndpointSlice named crdconv again`);
    } finally {
      await proxy.close();
      await fake.close();
    }
  });

  it("e. a rejection loop: Failure reviews, the apiserver's failed conversions and crdconv's loop metrics rise, and CrdconvRejectionLoop fires", async function () {
    this.timeout(180_000);
    const env = e2e();
    const { kube } = env;
    const backend = await start();
    await routeTo(kube, ['127.0.0.1'], backend.port);
    await healthy();
    const scrape = async () => parseMetrics(await httpText(backend.metricsPort, '/metrics'));
    const apiserverBefore = parseMetrics((await kube.raw('GET', '/metrics')).text);

    // A schema looser than the codec (hostPort an int or a string), an object written under it (an
    // integer hostPort), then the
    // real CRD back: the object is stored, and crdconv's v1 codec refuses it.
    const loose = structuredClone(env.crds.get(CRD)!) as unknown as Obj;
    for (const v of (loose['spec'] as Obj)['versions'] as Obj[]) {
      const props = ((v['schema'] as Obj)['openAPIV3Schema'] as Obj)['properties'] as Obj;
      if (props['hostPort']) props['hostPort'] = { 'x-kubernetes-int-or-string': true };
    }
    const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD}`;
    const liveCrd = await kube.get(crdPath);
    await kube.put(crdPath, {
      ...loose,
      metadata: { ...(loose['metadata'] as Obj), resourceVersion: (liveCrd['metadata'] as Obj)['resourceVersion'] },
    });
    await waitEstablished(kube, CRD);
    await untilRead(kube, `${v1()}/a`, (s) => s === 200);
    let created = false;
    try {
      await eventuallyCreate(kube, v1());
      created = true;
      await applyChartCrds(env);
      const reviewsBefore = total(await scrape(), 'crdconv_conversion_reviews_total', { result: 'Failure' });
      // A client that keeps reading it (an informer relisting does the same).
      const seen: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await kube.raw('GET', `${v2()}/broken`);
        expect(r.status).to.equal(500);
        seen.push(statusMessage(r.text));
        await sleep(200);
      }
      log('e get-broken', seen[seen.length - 1]!);
      const list = await kube.raw('GET', v2());
      log('e list-with-broken', `HTTP ${list.status} ${statusMessage(list.text).slice(0, 600)}`);
      const after = await scrape();
      const repeated = total(after, 'crdconv_repeated_object_failures_total', { kind: 'Backend' });
      const loop = total(after, 'crdconv_rejection_loop_objects', { kind: 'Backend' });
      const failures = total(after, 'crdconv_conversion_reviews_total', { result: 'Failure' }) - reviewsBefore;
      log(
        'e crdconv-metrics',
        `repeated_object_failures_total{Backend}=${repeated} rejection_loop_objects{Backend}=${loop} reviews{Failure}+=${failures}`,
      );
      expect(failures).to.be.at.least(6);
      // The objects the apiserver sends from storage carry a uid but no resourceVersion (the
      // stored JSON has none; the apiserver sets it after decoding: shown below with a recording
      // webhook), so crdconv tracks them by uid alone. This test found that gap.
      expect(repeated, 'repeated failures of the stored object').to.be.above(0);
      expect(loop, 'objects in a rejection loop').to.equal(1);
      const recorder = await startFakeWebhook(env.webhook.certDir, (review) => ({
        body: {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'ConversionReview',
          response: { uid: requestOf(review).uid, result: { status: 'Failure', message: 'recorded' } },
        },
      }));
      try {
        await routeTo(kube, ['127.0.0.1'], recorder.port);
        await untilRead(kube, `${v2()}/broken`, (_s, text) => text.includes('recorded'));
        const sent = recorder.requests
          .flatMap((r) => requestOf(r.review).objects)
          .map((o) => o['metadata'] as Obj)
          .find((m) => m['name'] === 'broken')!;
        log('e sent-metadata', JSON.stringify(sent));
        expect(sent['uid']).to.be.a('string');
        expect(sent['resourceVersion']).to.equal(undefined);
      } finally {
        await routeTo(kube, ['127.0.0.1'], backend.port);
        await recorder.close();
      }

      const apiserverAfter = parseMetrics((await kube.raw('GET', '/metrics')).text);
      const names = [...new Set(apiserverAfter.map((s) => s.name).filter((n) => n.includes('conversion_webhook')))];
      log('e apiserver-metric-names', names.join(' '));
      const failedNow = total(apiserverAfter, 'apiserver_crd_conversion_webhook_duration_seconds_count', {
        crd_name: CRD,
        succeeded: 'false',
      });
      const failedBefore = total(apiserverBefore, 'apiserver_crd_conversion_webhook_duration_seconds_count', {
        crd_name: CRD,
        succeeded: 'false',
      });
      const byType = apiserverAfter
        .filter((s) => s.name === 'apiserver_conversion_webhook_request_total')
        .map((s) => `${JSON.stringify(s.labels)} ${s.value}`);
      log(
        'e apiserver-failed-conversions',
        `succeeded="false" count ${failedBefore} -> ${failedNow}; ${byType.join('; ')}`,
      );
      expect(failedNow - failedBefore).to.be.at.least(6);

      await alertFires(
        after.filter((s) => s.name === 'crdconv_rejection_loop_objects'),
        this,
      );
    } finally {
      if (created) await kube.delete(`${v1()}/broken`);
      await applyChartCrds(env);
    }
    await untilRead(kube, v2(), (s) => s === 200, 60_000);
  });
});

/** Creates `broken` (an integer hostPort) once the loose schema reaches the handlers. */
async function eventuallyCreate(kube: ReturnType<typeof e2e>['kube'], path: string): Promise<void> {
  const body = { apiVersion: 'stable.example.com/v1', kind: 'Backend', metadata: { name: 'broken' }, hostPort: 5 };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await kube.raw('POST', path, { body });
    if (res.status === 201) return;
    if (Date.now() > deadline) throw new Error(`cannot create broken: HTTP ${res.status} ${res.text}`);
    await sleep(200);
  }
}

function findHelm(): string | undefined {
  if (process.env['HELM']) return process.env['HELM'];
  if (spawnSync('helm', ['version', '--short']).status === 0) return 'helm';
  const fetched = spawnSync('bash', [join(repoRoot, 'helm', 'tools', 'fetch-helm.sh')], { encoding: 'utf8' });
  return fetched.status === 0 ? fetched.stdout.trim() : undefined;
}

function findPromtool(): string | undefined {
  if (process.env['PROMTOOL']) return process.env['PROMTOOL'];
  const built = spawnSync('bash', [join(repoRoot, 'helm', 'tools', 'build-promtool.sh')], { encoding: 'utf8' });
  return built.status === 0 ? built.stdout.trim() : undefined;
}

/**
 * The chart's CrdconvRejectionLoop rule, rendered by helm, evaluated by promtool on the scraped
 * gauge: the scraped samples, with the labels Prometheus' scrape adds (job, namespace), as a
 * series that holds for the alert's `for`; and the same series at 0 must not fire.
 */
async function alertFires(samples: readonly { labels: Record<string, string>; value: number }[], ctx: Mocha.Context) {
  const helm = findHelm();
  const promtool = findPromtool();
  if (!helm || !promtool) {
    log(
      'e alert',
      `SKIPPED: ${!helm ? 'no helm (HELM, PATH, helm/tools/fetch-helm.sh)' : 'no promtool (PROMTOOL, helm/tools/build-promtool.sh)'}`,
    );
    ctx.skip();
  }
  const rendered = helmTemplate(helm!, [
    'crdconv',
    '--namespace',
    'crdconv-system',
    '--set',
    'prometheusRule.enabled=true',
  ]);
  const rule = rendered.find((m) => m.kind === 'PrometheusRule');
  if (!rule) throw new Error('the chart rendered no PrometheusRule');
  const groups = (rule['spec'] as Obj)['groups'] as Obj[];
  const alert = groups.flatMap((g) => g['rules'] as Obj[]).find((r) => r['alert'] === 'CrdconvRejectionLoop');
  if (!alert) throw new Error('no CrdconvRejectionLoop rule in the chart');
  const dir = await mkdtemp(join(tmpdir(), 'crdconv-e2e-promtool-'));
  await writeFile(join(dir, 'rules.yaml'), stringify({ groups: [{ name: 'rejection-loop', rules: [alert] }] }));
  const series = (value: (v: number) => number) =>
    samples.map((s) => {
      const labels = { ...s.labels, job: 'crdconv', namespace: 'crdconv-system', instance: '10.0.0.7:8080' };
      const sel = Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(', ');
      return { series: `crdconv_rejection_loop_objects{${sel}}`, values: `${value(s.value)}x15` };
    });
  const forMinutes = parseInt(String(alert['for']), 10);
  const evalTime = `${forMinutes + 2}m`;
  const looping = samples.filter((s) => s.value > 0);
  const test = {
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: series((v) => v),
        alert_rule_test: [
          {
            eval_time: evalTime,
            alertname: 'CrdconvRejectionLoop',
            exp_alerts: looping.map((s) => ({
              exp_labels: {
                severity: (alert['labels'] as Obj)['severity'],
                namespace: 'crdconv-system',
                job: 'crdconv',
                kind: s.labels['kind'],
              },
              exp_annotations: Object.fromEntries(
                Object.entries(alert['annotations'] as Record<string, string>).map(([k, v]) => [
                  k,
                  v
                    .replaceAll('{{ $value }}', String(s.value))
                    .replaceAll('{{ $labels.kind }}', s.labels['kind']!)
                    .replaceAll('{{ $labels.namespace }}', 'crdconv-system')
                    .replaceAll('{{ $labels.job }}', 'crdconv'),
                ]),
              ),
            })),
          },
        ],
      },
      {
        interval: '1m',
        input_series: series(() => 0),
        alert_rule_test: [{ eval_time: evalTime, alertname: 'CrdconvRejectionLoop', exp_alerts: [] }],
      },
    ],
  };
  await writeFile(join(dir, 'test.yaml'), stringify(test));
  const res = spawnSync(promtool!, ['test', 'rules', 'test.yaml'], { cwd: dir, encoding: 'utf8' });
  log('e alert', `promtool test rules (${looping.length} looping kind(s), eval at ${evalTime}): exit ${res.status}`);
  expect(res.status, `${res.stdout}${res.stderr}`).to.equal(0);
}
