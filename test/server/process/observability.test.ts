import { expect } from 'chai';
import { createRegistry } from '../../../src/kinds/registry.js';
import { stringifyJson } from '../../../src/json/index.js';
import { buildReview } from '../../support/apiserver.js';
import { backendV1, databaseV1 } from '../../support/objects.js';
import { parseMetrics, valueOf } from '../metrics/promText.js';
import { backendReview, httpGet, httpsRequest, startTestService, type TestService } from '../../support/service.js';

describe('service: probes and metrics', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ readinessCacheMs: 0 });
  });
  after(() => t.stop());

  it('listens on separate plain-HTTP ports and says so in the startup log', async () => {
    await t.logs.flushed();
    const line = t.logs.entries.find((e) => e.msg === 'conversion webhook listening');
    expect(line, 'startup line').to.not.equal(undefined);
    expect(line!.port).to.equal(t.service.port);
    expect(line!.probesPort).to.equal(t.service.probesPort);
    expect(line!.metricsPort).to.equal(t.service.metricsPort);
    expect(new Set([t.service.port, t.service.probesPort, t.service.metricsPort]).size).to.equal(3);
    expect((line!.certificate as { notAfter: string }).notAfter).to.equal(
      t.service.certificate().notAfter.toISOString(),
    );
  });

  it('answers /healthz 200 and /readyz 200 with its checks', async () => {
    const health = await httpGet(t.service.probesPort!, '/healthz');
    expect(health.status).to.equal(200);
    expect(health.text.trim()).to.equal('ok');
    const ready = await httpGet(t.service.probesPort!, '/readyz');
    expect(ready.status).to.equal(200);
    expect(JSON.parse(ready.text)).to.deep.equal({ status: 'ready', checks: { converters: 'ok', webhook: 'ok' } });
    expect((await httpGet(t.service.probesPort!, '/metrics')).status).to.equal(404);
  });

  it('exposes the documented series after a few reviews, with no names or uids as labels', async () => {
    const reviews = [backendReview('web-1'), backendReview('web-2'), backendReview('web-3')];
    for (const r of reviews) expect((await httpsRequest(t.service.port, t.ca, { body: r.text })).status).to.equal(200);
    const broken = buildReview([{ ...backendV1('broken-one', 'x'), hostPort: 42 }], 'stable.example.com/v2', 'v1beta1');
    const failed = await httpsRequest(t.service.port, t.ca, { body: stringifyJson(broken.body) });
    expect(failed.status).to.equal(200);
    expect(JSON.parse(failed.text).response.result.status).to.equal('Failure');
    const stash = buildReview([databaseV1('db-1')], 'platform.example.com/v1alpha1');
    expect((await httpsRequest(t.service.port, t.ca, { body: stringifyJson(stash.body) })).status).to.equal(200);
    expect((await httpsRequest(t.service.port, t.ca, { body: '{"not":"a review"}' })).status).to.equal(400);

    const scrape = await httpGet(t.service.metricsPort!, '/metrics');
    expect(scrape.status).to.equal(200);
    expect(scrape.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
    const s = parseMetrics(scrape.text);
    expect(valueOf(s, 'crdconv_conversion_reviews_total', { review_version: 'v1', result: 'Success' })).to.equal(4);
    expect(valueOf(s, 'crdconv_conversion_reviews_total', { review_version: 'v1beta1', result: 'Failure' })).to.equal(
      1,
    );
    expect(valueOf(s, 'crdconv_conversion_reviews_total', { review_version: 'none', result: 'BadRequest' })).to.equal(
      1,
    );
    expect(
      valueOf(s, 'crdconv_conversion_objects_total', { kind: 'Backend', from: 'v1', to: 'v2', result: 'success' }),
    ).to.equal(3);
    expect(
      valueOf(s, 'crdconv_conversion_objects_total', { kind: 'Backend', from: 'v1', to: 'v2', result: 'failure' }),
    ).to.equal(1);
    expect(
      valueOf(s, 'crdconv_conversion_objects_total', {
        kind: 'Database',
        from: 'v1',
        to: 'v1alpha1',
        result: 'success',
      }),
    ).to.equal(1);
    expect(
      valueOf(s, 'crdconv_decode_failures_total', { kind: 'Backend', version: 'v1', reason: 'DecodeFailed' }),
    ).to.equal(1);
    expect(valueOf(s, 'crdconv_stash_outcomes_total', { kind: 'Database', outcome: 'written' })).to.equal(1);
    expect(valueOf(s, 'crdconv_review_duration_seconds_count')).to.equal(6);
    expect(valueOf(s, 'crdconv_review_duration_seconds_bucket', { le: '0.001' })).to.be.a('number');
    expect(valueOf(s, 'crdconv_review_objects_sum')).to.equal(5);
    expect(valueOf(s, 'crdconv_request_body_bytes_count')).to.equal(6);
    expect(valueOf(s, 'crdconv_reviews_in_flight')).to.equal(0);
    expect(valueOf(s, 'crdconv_tls_certificate_expiry_timestamp_seconds')).to.equal(
      t.service.certificate().notAfter.getTime() / 1000,
    );
    expect(valueOf(s, 'process_cpu_seconds_total')).to.be.a('number');
    expect(valueOf(s, 'nodejs_eventloop_lag_seconds')).to.be.a('number');
    for (const r of [...reviews, broken, stash]) expect(scrape.text).not.to.contain(r.uid);
    expect(scrape.text).not.to.match(/web-\d|broken-one|db-1|default\//);
  });

  it('answers 404 on the metrics port for other paths', async () => {
    expect((await httpGet(t.service.metricsPort!, '/healthz')).status).to.equal(404);
  });

  it('fails readiness when the TLS listener stops answering', async () => {
    const other = await startTestService({ readinessCacheMs: 0 });
    try {
      expect((await httpGet(other.service.probesPort!, '/readyz')).status).to.equal(200);
      await new Promise<void>((resolve) => other.service.server.close(() => resolve()));
      const ready = await httpGet(other.service.probesPort!, '/readyz');
      expect(ready.status).to.equal(503);
      const body = JSON.parse(ready.text) as { checks: Record<string, string> };
      expect(body.checks.converters).to.equal('ok');
      expect(body.checks.webhook).to.match(/does not answer/);
      expect((await httpGet(other.service.probesPort!, '/healthz')).status, 'alive all the same').to.equal(200);
    } finally {
      await other.stop();
    }
  });

  it('fails readiness without converters', async () => {
    const other = await startTestService({ registry: createRegistry([]) });
    try {
      const ready = await httpGet(other.service.probesPort!, '/readyz');
      expect(ready.status).to.equal(503);
      expect(JSON.parse(ready.text).checks.converters).to.equal('no kinds are registered');
    } finally {
      await other.stop();
    }
  });

  it('opens no probe or metrics port unless asked', async () => {
    const other = await startTestService({ probes: undefined, metrics: undefined });
    try {
      expect(other.service.probesPort).to.equal(undefined);
      expect(other.service.metricsPort).to.equal(undefined);
      expect(other.service.metrics).to.equal(undefined);
      await other.logs.flushed();
      expect(other.logs.entries.find((e) => e.msg === 'conversion webhook listening')).to.include({
        probes: 'disabled',
        metrics: 'disabled',
      });
    } finally {
      await other.stop();
    }
  });
});
