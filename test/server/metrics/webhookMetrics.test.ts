import { expect } from 'chai';
import { registry } from '../../../converters/index.js';
import type { ObjectOutcome } from '../../../src/review/handleReview.js';
import type { ReviewRecord } from '../../../src/server/http/observer.js';
import { createWebhookMetrics, DURATION_BUCKETS } from '../../../src/server/metrics/webhookMetrics.js';
import { parseMetrics, valueOf } from './promText.js';

const object = (o: Partial<ObjectOutcome>): ObjectOutcome => ({
  kind: 'Backend',
  from: 'v1',
  to: 'v2',
  ok: true,
  stash: 'none',
  object: 'Backend default/web',
  ...o,
});
const review = (r: Partial<ReviewRecord>): ReviewRecord => ({
  reviewVersion: 'apiextensions.k8s.io/v1',
  uid: '7d3a1c52-uid-never-a-label',
  result: 'Success',
  httpStatus: 200,
  durationSeconds: 0.0012,
  requestBytes: 2_000,
  objects: [],
  ...r,
});

describe('webhook metrics (observer)', () => {
  it('counts reviews, objects, decode failures and stash outcomes with labels from the registry only', async () => {
    const metrics = createWebhookMetrics(registry, { defaultMetrics: false });
    metrics.observer.reviewStarted();
    metrics.observer.reviewStarted();
    metrics.observer.reviewFinished(
      review({
        objects: [
          object({}),
          object({ object: 'Backend default/api' }),
          object({ kind: 'Database', from: 'v1', to: 'v1alpha1', stash: 'written', object: 'Database default/db' }),
        ],
      }),
    );
    metrics.observer.reviewFinished(
      review({
        reviewVersion: 'apiextensions.k8s.io/v1beta1',
        result: 'Failure',
        durationSeconds: 0.0004,
        objects: [
          object({ ok: false, reason: 'DecodeFailed', object: 'Backend default/broken' }),
          object({ kind: 'Evil-kind-from-a-stray-client', from: 'v999', ok: false, reason: 'UnknownKind' }),
          object({ kind: 'Backend', from: 'v7', ok: false, reason: 'UnknownVersion' }),
          object({ ok: false, reason: 'ConverterFailed' }),
        ],
      }),
    );
    metrics.observer.reviewStarted();
    metrics.observer.reviewFinished(
      review({ reviewVersion: undefined, uid: undefined, result: 'BadRequest', httpStatus: 400, objects: [] }),
    );

    const text = await metrics.registry.metrics();
    const samples = parseMetrics(text);
    expect(valueOf(samples, 'crdconv_conversion_reviews_total', { review_version: 'v1', result: 'Success' })).to.equal(
      1,
    );
    expect(
      valueOf(samples, 'crdconv_conversion_reviews_total', { review_version: 'v1beta1', result: 'Failure' }),
    ).to.equal(1);
    expect(
      valueOf(samples, 'crdconv_conversion_reviews_total', { review_version: 'none', result: 'BadRequest' }),
    ).to.equal(1);
    expect(
      valueOf(samples, 'crdconv_conversion_objects_total', {
        kind: 'Backend',
        from: 'v1',
        to: 'v2',
        result: 'success',
      }),
    ).to.equal(2);
    expect(
      valueOf(samples, 'crdconv_conversion_objects_total', {
        kind: 'Backend',
        from: 'v1',
        to: 'v2',
        result: 'failure',
      }),
    ).to.equal(2);
    expect(
      valueOf(samples, 'crdconv_conversion_objects_total', {
        kind: 'other',
        from: 'other',
        to: 'other',
        result: 'failure',
      }),
    ).to.equal(1);
    expect(
      valueOf(samples, 'crdconv_conversion_objects_total', { kind: 'Backend', from: 'other', result: 'failure' }),
    ).to.equal(1);
    expect(
      valueOf(samples, 'crdconv_decode_failures_total', { kind: 'Backend', version: 'v1', reason: 'DecodeFailed' }),
    ).to.equal(1);
    expect(
      valueOf(samples, 'crdconv_decode_failures_total', { kind: 'other', version: 'other', reason: 'UnknownKind' }),
    ).to.equal(1);
    expect(
      valueOf(samples, 'crdconv_decode_failures_total', {
        kind: 'Backend',
        version: 'other',
        reason: 'UnknownVersion',
      }),
    ).to.equal(1);
    expect(
      valueOf(samples, 'crdconv_decode_failures_total', { reason: 'ConverterFailed' }),
      'a converter bug is not a decode failure',
    ).to.equal(undefined);
    expect(valueOf(samples, 'crdconv_stash_outcomes_total', { kind: 'Database', outcome: 'written' })).to.equal(1);
    expect(valueOf(samples, 'crdconv_reviews_in_flight')).to.equal(0);
    // Objects per review is observed for answered reviews only (not the 400).
    expect(valueOf(samples, 'crdconv_review_objects_count')).to.equal(2);
    expect(valueOf(samples, 'crdconv_review_objects_sum')).to.equal(7);
    // Millisecond resolution: 0.4 ms and 1.2 ms land in different buckets.
    expect(DURATION_BUCKETS[0]).to.be.at.most(0.0005);
    expect(valueOf(samples, 'crdconv_review_duration_seconds_bucket', { le: '0.0005' })).to.equal(1);
    expect(valueOf(samples, 'crdconv_review_duration_seconds_bucket', { le: '0.001' })).to.equal(1);
    expect(valueOf(samples, 'crdconv_review_duration_seconds_bucket', { le: '0.002' })).to.equal(3);
    expect(valueOf(samples, 'crdconv_request_body_bytes_count')).to.equal(3);
    // Never a name, a uid or the client's own strings.
    expect(text).not.to.match(/"(web|api|broken)"|default\/|uid-never|Evil|v999|"v7"/);
  });

  it('reports the certificate expiry and reloads', async () => {
    const metrics = createWebhookMetrics(registry, { defaultMetrics: false });
    const notAfter = new Date('2027-03-01T12:00:00Z');
    metrics.certificateServed({ notAfter });
    metrics.certificateReload('success');
    metrics.certificateReload('failure');
    metrics.certificateReload('failure');
    const samples = parseMetrics(await metrics.registry.metrics());
    expect(valueOf(samples, 'crdconv_tls_certificate_expiry_timestamp_seconds')).to.equal(notAfter.getTime() / 1000);
    expect(valueOf(samples, 'crdconv_tls_certificate_reloads_total', { result: 'success' })).to.equal(1);
    expect(valueOf(samples, 'crdconv_tls_certificate_reloads_total', { result: 'failure' })).to.equal(2);
  });

  it('keeps each service in its own registry', async () => {
    const a = createWebhookMetrics(registry);
    const b = createWebhookMetrics(registry);
    a.observer.reviewStarted();
    a.observer.reviewFinished(review({}));
    expect(
      valueOf(parseMetrics(await a.registry.metrics()), 'crdconv_conversion_reviews_total', { result: 'Success' }),
    ).to.equal(1);
    expect(
      valueOf(parseMetrics(await b.registry.metrics()), 'crdconv_conversion_reviews_total', { result: 'Success' }),
    ).to.equal(undefined);
    expect(valueOf(parseMetrics(await b.registry.metrics()), 'process_cpu_seconds_total')).to.be.a('number');
  });

  it('counts across scrapes: each scrape shows the running totals, and the reviews in flight now', async () => {
    const metrics = createWebhookMetrics(registry, { defaultMetrics: false });
    const scrape = async () => parseMetrics(await metrics.registry.metrics());
    const finish = () => metrics.observer.reviewFinished(review({ objects: [object({})] }));
    metrics.observer.reviewStarted();
    metrics.observer.reviewStarted();
    metrics.observer.reviewStarted();
    finish();
    finish();
    let samples = await scrape();
    expect(valueOf(samples, 'crdconv_conversion_reviews_total', { review_version: 'v1', result: 'Success' })).to.equal(
      2,
    );
    expect(
      valueOf(samples, 'crdconv_conversion_objects_total', {
        kind: 'Backend',
        from: 'v1',
        to: 'v2',
        result: 'success',
      }),
    ).to.equal(2);
    expect(valueOf(samples, 'crdconv_reviews_in_flight')).to.equal(1);
    samples = await scrape();
    expect(
      valueOf(samples, 'crdconv_conversion_reviews_total', { review_version: 'v1', result: 'Success' }),
      'a scrape counts nothing twice',
    ).to.equal(2);
    finish();
    samples = await scrape();
    expect(valueOf(samples, 'crdconv_conversion_reviews_total', { review_version: 'v1', result: 'Success' })).to.equal(
      3,
    );
    expect(
      valueOf(samples, 'crdconv_conversion_objects_total', {
        kind: 'Backend',
        from: 'v1',
        to: 'v2',
        result: 'success',
      }),
    ).to.equal(3);
    expect(valueOf(samples, 'crdconv_reviews_in_flight')).to.equal(0);
  });
});
