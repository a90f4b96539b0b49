import { Counter, Gauge, Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';
import { BucketHistogram } from './bucketHistogram.js';
import type { FailureReason } from '../../convert/errors.js';
import type { Registry } from '../../kinds/registry.js';
import type { MemoryBudget } from '../http/memoryBudget.js';
import type { ReviewObserver, ReviewRecord } from '../http/observer.js';
import { labelVocabulary, reviewVersionLabel, type LabelVocabulary } from './labels.js';
import { FAILURE_WINDOW_MS, LOOP_FAILURES, MAX_TRACKED_OBJECTS, RepeatedFailures } from './repeatedFailures.js';

/**
 * Seconds. Conversions of one object take well under a millisecond, so the low end resolves
 * single milliseconds; the top is the apiserver's 30 s webhook timeout.
 */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
/** Objects per review: 1 for what the kube-apiserver sends, more for a client that batches them. */
export const OBJECTS_BUCKETS = [0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
/** Request body bytes: 1 KiB to 64 MiB, by 4. */
export const BYTES_BUCKETS = [1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** Failures that mean the object could not be read as the version it claims. */
const DECODE_REASONS: ReadonlySet<FailureReason> = new Set<FailureReason>([
  'DecodeFailed',
  'TooDeep',
  'NotAnObject',
  'BadApiVersion',
  'BadMetadata',
  'GroupMismatch',
  'UnknownKind',
  'UnknownVersion',
]);

export interface WebhookMetrics {
  /** Its own registry (not prom-client's global one), so several services can run in a process. */
  readonly registry: PromRegistry;
  readonly observer: ReviewObserver;
  /** The certificate now being served (at startup and after each reload). */
  certificateServed(certificate: { readonly notAfter: Date }): void;
  /** A changed certificate on disk was taken (success) or refused (failure). */
  certificateReload(result: 'success' | 'failure'): void;
}

export interface WebhookMetricsOptions {
  /** prom-client's process and Node.js metrics (default true). */
  readonly defaultMetrics?: boolean;
  /** The clock of the rejection-loop window (tests). */
  readonly now?: () => number;
  /** The memory budget of the reviews in flight, to report. */
  readonly budget?: MemoryBudget;
}

export function createWebhookMetrics(kinds: Registry, options: WebhookMetricsOptions = {}): WebhookMetrics {
  const registry = new PromRegistry();
  const registers = [registry];
  // The per-review counters are plain numbers, handed to prom-client when it is scraped (collect):
  // a prom-client increment hashes and validates its labels, several times the cost of the count.
  const reviewCounts = new SeriesCounts(['review_version', 'result'] as const);
  const objectCounts = new SeriesCounts(['kind', 'from', 'to', 'result'] as const);
  const decodeCounts = new SeriesCounts(['kind', 'version', 'reason'] as const);
  const stashCounts = new SeriesCounts(['kind', 'outcome'] as const);
  const repeatedCounts = new SeriesCounts(['kind'] as const);
  const failedObjects = new RepeatedFailures(options.now);
  let inFlightNow = 0;
  new Counter({
    name: 'crdconv_conversion_reviews_total',
    help: 'ConversionReview requests answered, by review version (v1, v1beta1, none when unreadable) and result (Success, Failure, BadRequest, TooLarge, Throttled: 429 for want of memory, ClientAborted: the client went away or was too slow, Error: the webhook failed)',
    labelNames: ['review_version', 'result'] as const,
    registers,
    collect() {
      reviewCounts.flushInto(this);
    },
  });
  new Counter({
    name: 'crdconv_conversion_objects_total',
    help: 'Objects converted, by kind, source version (from), target version (to) and result (success, failure)',
    labelNames: ['kind', 'from', 'to', 'result'] as const,
    registers,
    collect() {
      objectCounts.flushInto(this);
    },
  });
  new Counter({
    name: 'crdconv_decode_failures_total',
    help: 'Objects that could not be read as the version they claim, by kind, version and reason',
    labelNames: ['kind', 'version', 'reason'] as const,
    registers,
    collect() {
      decodeCounts.flushInto(this);
    },
  });
  new Counter({
    name: 'crdconv_stash_outcomes_total',
    help: 'Stash annotation outcomes (written, restored, superseded, rejected), by kind',
    labelNames: ['kind', 'outcome'] as const,
    registers,
    collect() {
      stashCounts.flushInto(this);
    },
  });
  const windowMinutes = FAILURE_WINDOW_MS / 60_000;
  // Every registered kind shows, at 0 when it has no loop.
  const kindLabels = [...new Set(kinds.kinds.map((k) => k.def.kind))];
  new Counter({
    name: 'crdconv_repeated_object_failures_total',
    help: `Object conversion failures (decode or converter) of an object (same metadata.uid and resourceVersion) that already failed within the last ${windowMinutes} minutes, by kind: a rejection loop, not many distinct failures. At most ${MAX_TRACKED_OBJECTS} failed objects are remembered (least recently failed forgotten first); objects without a uid are not tracked, objects without a resourceVersion (read from storage) by uid alone`,
    labelNames: ['kind'] as const,
    registers,
    collect() {
      repeatedCounts.flushInto(this);
    },
  });
  new Gauge({
    name: 'crdconv_rejection_loop_objects',
    help: `Distinct objects (metadata.uid and resourceVersion) that failed to convert at least ${LOOP_FAILURES} times within the last ${windowMinutes} minutes, by kind. Bounded: at most ${MAX_TRACKED_OBJECTS} failed objects are remembered (least recently failed forgotten first)`,
    labelNames: ['kind'] as const,
    registers,
    collect() {
      this.reset();
      for (const kind of kindLabels) this.set({ kind }, 0);
      for (const [kind, count] of failedObjects.loopingByKind()) this.set({ kind }, count);
    },
  });
  // Observed for every review: prom-client's registry scrapes these like its own histograms.
  const duration = new BucketHistogram(
    'crdconv_review_duration_seconds',
    'Time from the first byte of a ConversionReview to its answer',
    DURATION_BUCKETS,
  );
  const objectsPerReview = new BucketHistogram(
    'crdconv_review_objects',
    'Objects per ConversionReview',
    OBJECTS_BUCKETS,
  );
  const bodyBytes = new BucketHistogram(
    'crdconv_request_body_bytes',
    'Size of ConversionReview request bodies',
    BYTES_BUCKETS,
  );
  for (const histogram of [duration, objectsPerReview, bodyBytes]) registry.registerMetric(histogram.asPromMetric());
  new Gauge({
    name: 'crdconv_reviews_in_flight',
    help: 'ConversionReviews being read or converted now',
    registers,
    collect() {
      this.set(inFlightNow);
    },
  });
  const budget = options.budget;
  if (budget) {
    new Gauge({
      name: 'crdconv_inflight_request_bytes',
      help: 'Request-body bytes of the reviews being read, converted or answered now (the memory budget in use)',
      registers,
      collect() {
        this.set(budget.inFlightBytes);
      },
    });
    new Gauge({
      name: 'crdconv_inflight_request_bytes_limit',
      help: 'The memory budget: request-body bytes in flight at most (--max-inflight-bytes), besides the reserve for small reviews',
      registers,
      collect() {
        this.set(budget.maxBytes);
      },
    });
    new Gauge({
      name: 'crdconv_reviews_waiting',
      help: 'Reviews waiting, unread, for room in the memory budget',
      registers,
      collect() {
        this.set(budget.waiting);
      },
    });
  }
  const expiry = new Gauge({
    name: 'crdconv_tls_certificate_expiry_timestamp_seconds',
    help: 'notAfter of the serving certificate, in seconds since the epoch (alert on this minus time())',
    registers,
  });
  const reloads = new Counter({
    name: 'crdconv_tls_certificate_reloads_total',
    help: 'Changed serving certificates seen on disk, by result (success: now served; failure: refused, the previous one kept)',
    labelNames: ['result'] as const,
    registers,
  });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const vocabulary = labelVocabulary(kinds);
  return {
    registry,
    observer: {
      reviewStarted: () => {
        inFlightNow++;
      },
      reviewFinished: (record) => {
        inFlightNow--;
        const reviewVersion = reviewVersionLabel(record.reviewVersion);
        const result = record.result;
        reviewCounts.add(reviewVersion, result);
        duration.observe(record.durationSeconds);
        bodyBytes.observe(record.requestBytes);
        if (result === 'Success' || result === 'Failure') objectsPerReview.observe(record.objects.length);
        countObjects(record, vocabulary, objectCounts, decodeCounts, stashCounts);
        if (result === 'Failure') countRepeatedFailures(record, vocabulary, failedObjects, repeatedCounts);
      },
    },
    certificateServed: (certificate) => expiry.set(certificate.notAfter.getTime() / 1000),
    certificateReload: (result) => reloads.inc({ result }),
  };
}

/**
 * Counts per series (a label combination), kept as plain numbers and added to the prom-client
 * counter at each scrape. Series are found through one map per label, keyed by the label's value:
 * the values come from the registry's vocabulary (the same few strings every time), so each step
 * is a lookup by a string whose hash is already known, and no key string or label object is built
 * per call. The series are bounded for the same reason.
 */
class SeriesCounts<const L extends readonly string[]> {
  private readonly root: SeriesNode = new Map();
  private readonly series: Array<{ readonly labels: Record<L[number], string>; pending: number }> = [];

  constructor(private readonly labelNames: L) {}

  /** Count one in the series with these label values, given in the order of labelNames. */
  add(...values: { [I in keyof L]: string }): void {
    let node = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]!);
      if (next === undefined) node.set(values[i]!, (next = new Map()));
      node = next as SeriesNode;
    }
    let entry = node.get(values[last]!) as { pending: number } | undefined;
    if (entry === undefined) {
      const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]])) as Record<
        L[number],
        string
      >;
      const created = { labels, pending: 0 };
      this.series.push(created);
      node.set(values[last]!, (entry = created));
    }
    entry.pending++;
  }

  flushInto(counter: Counter<L[number]>): void {
    for (const entry of this.series) {
      if (entry.pending === 0) continue;
      counter.inc(entry.labels, entry.pending);
      entry.pending = 0;
    }
  }
}

/** A level of SeriesCounts' lookup: the next level, or the series at the last label. */
type SeriesNode = Map<string, SeriesNode | { pending: number }>;

function countObjects(
  record: ReviewRecord,
  vocabulary: LabelVocabulary,
  objects: SeriesCounts<readonly ['kind', 'from', 'to', 'result']>,
  decode: SeriesCounts<readonly ['kind', 'version', 'reason']>,
  stash: SeriesCounts<readonly ['kind', 'outcome']>,
): void {
  for (const o of record.objects) {
    const kind = vocabulary.kind(o.kind);
    const from = vocabulary.version(o.kind, o.from);
    const to = vocabulary.version(o.kind, o.to);
    const result = o.ok ? 'success' : 'failure';
    objects.add(kind, from, to, result);
    const reason = o.reason;
    if (!o.ok && reason !== undefined && DECODE_REASONS.has(reason)) decode.add(kind, from, reason);
    const outcome = o.stash;
    if (outcome !== 'none') stash.add(kind, outcome);
  }
}

/** Remember each failed object; count those that failed before (see RepeatedFailures). */
function countRepeatedFailures(
  record: ReviewRecord,
  vocabulary: LabelVocabulary,
  failed: RepeatedFailures,
  repeated: SeriesCounts<readonly ['kind']>,
): void {
  for (const o of record.objects) {
    // Objects read from storage come without a resourceVersion (the stored JSON has none; the
    // apiserver sets it after decoding, checked against kube-apiserver v1.37 in
    // test/e2e/chaos.e2e.ts): then the uid alone names the object.
    if (o.ok || o.uid === undefined) continue;
    const kind = vocabulary.kind(o.kind);
    if (failed.failed(kind, o.uid, o.resourceVersion ?? '')) repeated.add(kind);
  }
}
