import { expect } from 'chai';
import { registry } from '../../../converters/index.js';
import type { ReviewRecord } from '../../../src/server/http/observer.js';
import {
  FAILURE_WINDOW_MS,
  LOOP_FAILURES,
  MAX_TRACKED_OBJECTS,
  RepeatedFailures,
} from '../../../src/server/metrics/repeatedFailures.js';
import { createWebhookMetrics } from '../../../src/server/metrics/webhookMetrics.js';
import { handleReview } from '../../../src/review/handleReview.js';
import type { ObjectOutcome } from '../../../src/review/handleReview.js';
import { backendV1 } from '../../support/objects.js';
import { parseMetrics, valueOf } from './promText.js';

const MINUTE = 60_000;

describe('repeated failures of one object (rejection loops)', () => {
  it('tells a second failure of the same uid and resourceVersion from a failure of another object or revision', () => {
    let now = 0;
    const failures = new RepeatedFailures(() => now);
    expect(failures.failed('Backend', 'uid-1', '10')).to.equal(false);
    expect(failures.failed('Backend', 'uid-1', '11'), 'another revision').to.equal(false);
    expect(failures.failed('Backend', 'uid-2', '10'), 'another object').to.equal(false);
    now += 9 * MINUTE;
    expect(failures.failed('Backend', 'uid-1', '10')).to.equal(true);
    // Keys cannot be confused: the uid's length is part of them.
    expect(failures.failed('Backend', 'uid-1', '0'), '("uid-1", "0")').to.equal(false);
    expect(failures.failed('Backend', 'uid-10', ''), '("uid-10", "")').to.equal(false);
  });

  it('forgets an object 10 minutes after its last failure', () => {
    let now = 0;
    const failures = new RepeatedFailures(() => now);
    failures.failed('Backend', 'u', '1');
    now += FAILURE_WINDOW_MS;
    expect(failures.failed('Backend', 'u', '1'), 'exactly at the window').to.equal(true);
    now += FAILURE_WINDOW_MS + 1;
    expect(failures.failed('Backend', 'u', '1'), 'past the window').to.equal(false);
    expect(failures.size).to.equal(1);
  });

  it('counts an object as looping with 3 failures within 10 minutes, by kind', () => {
    let now = 0;
    const failures = new RepeatedFailures(() => now);
    for (let i = 0; i < LOOP_FAILURES; i++) {
      failures.failed('Backend', 'loop', '7');
      failures.failed('Database', 'db-loop', '7');
      if (i < 2) failures.failed('Backend', 'twice', '7');
      failures.failed('Backend', `distinct-${i}`, '7');
      now += MINUTE;
    }
    expect(Object.fromEntries(failures.loopingByKind())).to.deep.equal({ Backend: 1, Database: 1 });
    // The oldest of the last three failures leaves the window: no longer a loop.
    now = FAILURE_WINDOW_MS + 1;
    failures.failed('Database', 'db-loop', '7');
    expect(Object.fromEntries(failures.loopingByKind())).to.deep.equal({ Database: 1 });
    now = 3 * FAILURE_WINDOW_MS;
    expect(Object.fromEntries(failures.loopingByKind())).to.deep.equal({});
    expect(failures.size, 'everything expired').to.equal(0);
  });

  it('remembers at most 10,000 objects, forgetting the least recently failed, with keys of bounded size', () => {
    const now = 0;
    const failures = new RepeatedFailures(() => now);
    expect(MAX_TRACKED_OBJECTS).to.equal(10_000);
    failures.failed('Backend', 'first', '1');
    failures.failed('Backend', 'second', '1');
    failures.failed('Backend', 'first', '1'); // first is now the most recent
    for (let i = 0; i < 20_000; i++) failures.failed('Backend', `u-${i}`, '1');
    expect(failures.size).to.equal(MAX_TRACKED_OBJECTS);
    expect(failures.failed('Backend', 'u-19999', '1')).to.equal(true);
    expect(failures.failed('Backend', 'second', '1'), 'forgotten').to.equal(false);
    // A 1 MB uid is remembered by its hash (the same uid twice is still the same object).
    const huge = 'x'.repeat(1_000_000);
    expect(failures.failed('Backend', huge, '1')).to.equal(false);
    expect(failures.failed('Backend', huge, '1')).to.equal(true);
    expect(failures.failed('Backend', `${huge}y`, '1')).to.equal(false);
  });

  it('handleReview reports the uid and resourceVersion of each failed object', () => {
    const broken = { ...backendV1('web', 'db:5432'), hostPort: 42 }; // not a string: cannot decode
    const outcome = handleReview(registry, {
      reviewVersion: 'apiextensions.k8s.io/v1',
      uid: 'r',
      desiredAPIVersion: 'stable.example.com/v2',
      objects: [broken, { ...broken, metadata: { name: 'anonymous' } }],
    });
    expect(outcome.response.result.status).to.equal('Failure');
    expect(outcome.objects.map((o) => [o.ok, o.uid, o.resourceVersion])).to.deep.equal([
      [false, broken.metadata.uid, '4711'],
      [false, undefined, undefined],
    ]);
  });

  it('exports crdconv_repeated_object_failures_total and crdconv_rejection_loop_objects by kind', async () => {
    let now = 1_000_000;
    const metrics = createWebhookMetrics(registry, { defaultMetrics: false, now: () => now });
    const failed = (o: Partial<ObjectOutcome>): ObjectOutcome => ({
      kind: 'Backend',
      from: 'v1',
      to: 'v2',
      ok: false,
      reason: 'ConverterFailed',
      stash: 'none',
      object: 'Backend default/web',
      uid: 'uid-web',
      resourceVersion: '4711',
      ...o,
    });
    const review = (objects: ObjectOutcome[]): ReviewRecord => ({
      result: 'Failure',
      httpStatus: 200,
      durationSeconds: 0.001,
      requestBytes: 100,
      objects,
    });
    const scrape = async () => parseMetrics(await metrics.registry.metrics());
    const finish = (objects: ObjectOutcome[]) => {
      metrics.observer.reviewStarted();
      metrics.observer.reviewFinished(review(objects));
    };
    // Many distinct failures: no repeat, no loop.
    finish([failed({}), failed({ uid: 'a' }), failed({ uid: 'b', kind: 'Database', reason: 'DecodeFailed' })]);
    let samples = await scrape();
    expect(valueOf(samples, 'crdconv_repeated_object_failures_total', { kind: 'Backend' })).to.equal(undefined);
    expect(valueOf(samples, 'crdconv_rejection_loop_objects', { kind: 'Backend' })).to.equal(0);
    expect(valueOf(samples, 'crdconv_rejection_loop_objects', { kind: 'CronJob' })).to.equal(0);
    // The same object again and again (a controller retrying): a loop.
    now += MINUTE;
    finish([failed({})]);
    now += MINUTE;
    finish([failed({}), failed({ uid: 'b', kind: 'Database', reason: 'DecodeFailed' })]);
    finish([failed({ kind: 'Evil', uid: 'e' }), failed({ kind: 'Evil', uid: 'e' })]);
    // Objects without a uid cannot be told apart: not tracked. Without a resourceVersion (read
    // from storage, as the apiserver sends them), the uid alone names the object.
    finish([
      failed({ uid: undefined }),
      failed({ uid: undefined }),
      failed({ resourceVersion: undefined }),
      failed({ resourceVersion: undefined }),
    ]);
    samples = await scrape();
    expect(valueOf(samples, 'crdconv_repeated_object_failures_total', { kind: 'Backend' })).to.equal(3);
    expect(valueOf(samples, 'crdconv_repeated_object_failures_total', { kind: 'Database' })).to.equal(1);
    expect(valueOf(samples, 'crdconv_repeated_object_failures_total', { kind: 'other' })).to.equal(1);
    expect(valueOf(samples, 'crdconv_rejection_loop_objects', { kind: 'Backend' })).to.equal(1);
    expect(valueOf(samples, 'crdconv_rejection_loop_objects', { kind: 'Database' })).to.equal(0);
    now += FAILURE_WINDOW_MS;
    samples = await scrape();
    expect(valueOf(samples, 'crdconv_rejection_loop_objects', { kind: 'Backend' }), '10 minutes later').to.equal(0);
    const text = await metrics.registry.metrics();
    expect(text).to.match(/# HELP crdconv_rejection_loop_objects .*10 minutes.*10000/);
    expect(text).not.to.match(/uid-web|Evil/);
  });
});
