import type { Aggregator, Metric } from 'prom-client';

/** One exposed sample, as prom-client's registry reads it. */
interface Sample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName: string;
  /** prom-client's buckets carry one (null without exemplars); kept for the same JSON. */
  readonly exemplar?: null;
}

/**
 * A histogram without labels, observed for every review, that prom-client's registry exposes
 * exactly as it exposes its own Histogram (same lines, same order, same values).
 *
 * Why not prom-client's Histogram: its observe() validates and hashes a label set and allocates
 * a closure on every call, which costs more than counting the value; with three histograms per
 * review that was a visible share of a one-object review. Here observing is a bucket search and
 * three additions. Scrapes go through prom-client as before: the registry only asks a metric for
 * get() (and reset()).
 */
export class BucketHistogram {
  readonly type = 'histogram';
  readonly aggregator: Aggregator = 'sum';
  private readonly upperBounds: readonly number[];
  /** counts[i]: observations in (upperBounds[i-1], upperBounds[i]]; the last slot is above them all. */
  private counts: number[];
  private sum = 0;
  private count = 0;
  /** Like prom-client's, a histogram that was reset shows no samples until it is observed again. */
  private shown = true;

  constructor(
    readonly name: string,
    readonly help: string,
    upperBounds: readonly number[],
  ) {
    this.upperBounds = [...upperBounds].sort((a, b) => a - b);
    this.counts = new Array<number>(this.upperBounds.length + 1).fill(0);
  }

  /** Values that are not finite numbers are ignored: metrics never throw on the request path. */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
    this.shown = true;
  }

  /** What prom-client's Histogram.get() gives: cumulative buckets, +Inf, _sum, _count. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: Sample[]; aggregator: Aggregator }> {
    const bucket = `${this.name}_bucket`;
    const values: Sample[] = [];
    if (!this.shown) return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
    let cumulative = 0;
    this.upperBounds.forEach((le, i) => {
      cumulative += this.counts[i]!;
      values.push({ labels: { le }, value: cumulative, metricName: bucket, exemplar: null });
    });
    values.push(
      { labels: { le: '+Inf' }, value: this.count, metricName: bucket, exemplar: null },
      { labels: {}, value: this.sum, metricName: `${this.name}_sum` },
      { labels: {}, value: this.count, metricName: `${this.name}_count` },
    );
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.counts = this.counts.map(() => 0);
    this.sum = 0;
    this.count = 0;
    this.shown = false;
  }

  /**
   * Registry.registerMetric is typed for prom-client's own classes but only reads name, get()
   * and reset(); this is the one place that says so.
   */
  asPromMetric(): Metric {
    return this as unknown as Metric;
  }
}
