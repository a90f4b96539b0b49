/**
 * Micro-benchmark of the exact JSON module against the native JSON.parse/JSON.stringify.
 * Not a test: it prints MB/s and ratios, it asserts nothing about speed.
 *
 *   npx tsx bench/json.ts [--mb 5] [--runs 15]
 *
 * Documents: a ConversionReview of Kubernetes-like objects (metadata with managedFields and a
 * last-applied annotation, nested spec, status), about --mb megabytes, once with ordinary
 * integers only and once with 1% of the objects carrying int64 values beyond 2^53. The native
 * side of the int64 document is what a non-exact service would do: JSON.parse (rounding the
 * values) and JSON.stringify of the same objects with those values as (rounded) numbers.
 * Runs are interleaved and the median is reported.
 */
import { parseJson, stringifyJson } from '../src/json/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? undefined : Number(process.argv[i + 1]);
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
};
const megabytes = arg('mb', 5);
const runs = Math.max(1, Math.round(arg('runs', 15)));

function kubernetesLikeObject(i: number, int64: boolean): Record<string, unknown> {
  const big = (n: bigint): bigint | number => (int64 ? n : Number(n % 100000n));
  return {
    apiVersion: 'platform.example.com/v1beta1',
    kind: 'Database',
    metadata: {
      name: `orders-db-${i}`,
      namespace: `team-${i % 17}`,
      uid: `6a1c2f3e-${String(i % 10000).padStart(4, '0')}-4c1d-9a7b-1f2e3d4c5b6a`,
      resourceVersion: String(1_000_000 + i),
      generation: 3,
      creationTimestamp: '2024-05-01T12:00:00Z',
      labels: { app: 'orders', tier: 'backend', 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': `{"apiVersion":"platform.example.com/v1beta1","kind":"Database","metadata":{"name":"orders-db-${i}"},"spec":{"storage":"10Gi"}}\n`,
      },
      managedFields: [
        {
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          apiVersion: 'platform.example.com/v1beta1',
          time: '2024-05-01T12:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
            'f:spec': { '.': {}, 'f:engine': {}, 'f:replicas': {}, 'f:storage': {} },
          },
        },
      ],
    },
    spec: {
      engine: 'postgres',
      version: '15.4',
      replicas: 3,
      storage: { size: '10Gi', class: 'fast-ssd', iops: 3000 },
      maxBytes: big(9_223_372_036_854_775_807n - BigInt(i)),
      backups: [
        {
          schedule: '0 3 * * *',
          retentionDays: 14,
          target: 's3://backups/orders',
          sizeLimit: big(9_007_199_254_740_993n + BigInt(i)),
        },
        { schedule: '@hourly', retentionDays: 1, target: 'pvc://local' },
      ],
      parameters: { shared_buffers: '256MB', work_mem: '4MB', log_min_duration_statement: '500' },
      port: 5432,
    },
    status: {
      phase: 'Ready',
      observedGeneration: 3,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          lastTransitionTime: '2024-05-01T12:01:00Z',
          reason: 'Provisioned',
          message: 'database is ready',
        },
      ],
    },
  };
}

interface Workload {
  readonly name: string;
  readonly objects: ReadonlyArray<Record<string, unknown>>;
  /** The same objects as a non-exact service holds them: bigints rounded to numbers. */
  readonly rounded: ReadonlyArray<Record<string, unknown>>;
  readonly text: string;
}

function workload(name: string, int64Share: number): Workload {
  const objects: Array<Record<string, unknown>> = [];
  const every = int64Share > 0 ? Math.round(1 / int64Share) : 0;
  let bytes = 0;
  for (let i = 0; bytes < megabytes * 1e6; i++) {
    const o = kubernetesLikeObject(i, every > 0 && i % every === 0);
    objects.push(o);
    bytes += stringifyJson(o).length + 1;
  }
  const review = (items: unknown[]): unknown => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      desiredAPIVersion: 'platform.example.com/v1',
      objects: items,
    },
  });
  const rounded = objects.map(
    (o) =>
      JSON.parse(JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as Record<
        string,
        unknown
      >,
  );
  return { name, objects, rounded, text: stringifyJson(review(objects)) };
}

/** Median milliseconds of each candidate, the candidates run in turn (interleaved). */
function measure(candidates: ReadonlyArray<() => unknown>): number[] {
  const times = candidates.map((): number[] => []);
  for (let r = 0; r < runs + 2; r++) {
    candidates.forEach((run, k) => {
      const start = process.hrtime.bigint();
      run();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r >= 2) times[k]?.push(ms); // two warm-up rounds
    });
  }
  return times.map((t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)] ?? NaN);
}

const rows: string[][] = [['document', 'operation', 'native MB/s', 'exact MB/s', 'exact/native time']];
function report(doc: string, operation: string, megabytesIn: number, nativeMs: number, exactMs: number): void {
  const mbps = (ms: number): string => (megabytesIn / (ms / 1000)).toFixed(0);
  rows.push([doc, operation, mbps(nativeMs), mbps(exactMs), (exactMs / nativeMs).toFixed(2) + 'x']);
}

for (const w of [workload('plain', 0), workload('1% int64', 0.01)]) {
  const mb = w.text.length / 1e6;
  // Check first: the exact side must be exact, or its speed means nothing.
  const back = stringifyJson(parseJson(w.text));
  if (back !== w.text) throw new Error(`${w.name}: parseJson/stringifyJson did not round-trip the document`);

  const [parseNative = NaN, parseExact = NaN] = measure([() => JSON.parse(w.text), () => parseJson(w.text)]);
  report(w.name, 'parse (whole review)', mb, parseNative, parseExact);

  const [perObjectNative = NaN, perObjectExact = NaN] = measure([
    () => w.rounded.map((o) => JSON.stringify(o)).join(','),
    () => w.objects.map((o) => stringifyJson(o)).join(','),
  ]);
  report(w.name, 'stringify (per object, joined)', mb, perObjectNative, perObjectExact);

  const roundedReview = { request: { objects: w.rounded } };
  const exactReview = { request: { objects: w.objects } };
  const [wholeNative = NaN, wholeExact = NaN] = measure([
    () => JSON.stringify(roundedReview),
    () => stringifyJson(exactReview),
  ]);
  report(w.name, 'stringify (whole review)', mb, wholeNative, wholeExact);
}

const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
console.log(
  `JSON micro-benchmark: ~${megabytes} MB documents, median of ${runs} interleaved runs, Node ${process.version}`,
);
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  '));
