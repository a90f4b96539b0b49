import { expect } from 'chai';
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { BucketHistogram } from '../../../src/server/metrics/bucketHistogram.js';
import { BYTES_BUCKETS, DURATION_BUCKETS, OBJECTS_BUCKETS } from '../../../src/server/metrics/webhookMetrics.js';

/** The registry's JSON as it is sent (keys holding undefined dropped). */
const asJson = async (registry: Registry) => JSON.parse(JSON.stringify(await registry.getMetricsAsJSON())) as unknown;

/** The same values into prom-client's Histogram and into ours, each in a registry of its own. */
function both(buckets: readonly number[]) {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({
    name: 'h_seconds',
    help: 'a histogram',
    buckets: [...buckets],
    registers: [theirs],
  });
  const bucketed = new BucketHistogram('h_seconds', 'a histogram', buckets);
  ours.registerMetric(bucketed.asPromMetric());
  return { theirs, ours, reference, bucketed };
}

/** Values on, between, below and above the bounds: where an off-by-one would show. */
const valuesAround = (buckets: readonly number[]) =>
  fc.array(
    fc.oneof(
      fc.constantFrom(...buckets),
      fc.constantFrom(...buckets).map((b) => b * (1 + Number.EPSILON * 4)),
      fc.double({ min: -1, max: buckets[buckets.length - 1]! * 2, noNaN: true }),
      fc.nat(),
    ),
    { maxLength: 60 },
  );

describe('BucketHistogram', () => {
  for (const [name, buckets] of [
    ['duration', DURATION_BUCKETS],
    ['objects', OBJECTS_BUCKETS],
    ['bytes', BYTES_BUCKETS],
  ] as const) {
    it(`is scraped exactly like prom-client's Histogram for the same values (${name} buckets)`, async () => {
      await fc.assert(
        fc.asyncProperty(valuesAround(buckets), async (values) => {
          const { theirs, ours, reference, bucketed } = both(buckets);
          for (const v of values) {
            reference.observe(v);
            bucketed.observe(v);
          }
          expect(await ours.metrics()).to.equal(await theirs.metrics());
          expect(await asJson(ours)).to.deep.equal(await asJson(theirs));
        }),
        { numRuns: 100 },
      );
    });
  }

  it('shows zero counts before any observation, and, like prom-client, nothing after a reset until observed again', async () => {
    const { theirs, ours, reference, bucketed } = both(DURATION_BUCKETS);
    expect(await ours.metrics()).to.equal(await theirs.metrics());
    bucketed.observe(0.002);
    bucketed.observe(7);
    expect(await ours.metrics()).to.contain('h_seconds_count 2');
    ours.resetMetrics();
    reference.reset();
    expect(await ours.metrics()).to.equal(await theirs.metrics());
    expect(await ours.metrics()).not.to.contain('h_seconds_count');
    bucketed.observe(0.2);
    reference.observe(0.2);
    expect(await ours.metrics()).to.equal(await theirs.metrics());
    expect(await ours.metrics()).to.contain('h_seconds_count 1');
  });

  it('ignores values that are not finite numbers instead of throwing on the request path', async () => {
    const { ours, bucketed } = both(OBJECTS_BUCKETS);
    bucketed.observe(Number.NaN);
    bucketed.observe(Number.POSITIVE_INFINITY);
    bucketed.observe(3);
    const text = await ours.metrics();
    expect(text).to.contain('h_seconds_count 1');
    expect(text).to.contain('h_seconds_sum 3');
    expect(text).to.contain('h_seconds_bucket{le="5"} 1');
    expect(text).to.contain('h_seconds_bucket{le="2"} 0');
  });
});
