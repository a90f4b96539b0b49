/**
 * The bench's payloads: Database objects (a shipped kind, converters/platform.example.com) at
 * v1alpha1, the way a cluster that has been running a while stores them (labels, annotations,
 * finalizers, managedFields, nested spec, status), converted to v1 (the storage version) through
 * v1beta1. Generated from a seeded PRNG: the same arguments give the same bytes on every machine,
 * so two runs measure the same thing.
 *
 * Next to each object, the v1 object the service must answer with, derived here by hand from the
 * generator's own fields (not by running the converters), so an answer can be checked.
 */
import { stringifyJson } from '../src/json/index.js';

export const GROUP = 'platform.example.com';
export const SOURCE_API_VERSION = `${GROUP}/v1alpha1`;
export const DESIRED_API_VERSION = `${GROUP}/v1`;

type Json = Record<string, unknown>;

/** One object as sent (v1alpha1) and as the service must answer it (v1). */
export interface Case {
  readonly sent: Json;
  readonly expected: Json;
  /** Whether the object carries integers beyond 2^53. */
  readonly int64: boolean;
}

/**
 * Which objects a payload holds: realistic Database objects (expected answers derived by hand),
 * generated ones (bench/generated.ts: expected from the library's own conversion), or CronJobs
 * (bench/cronjobs.ts: expected derived by hand; controller-runtime serves them too).
 */
export type Family = 'database' | 'generated' | 'cronjob';

/** A ConversionReview request, encoded once, with the objects it must come back as. */
export interface ReviewPayload {
  readonly uid: string;
  readonly body: Buffer;
  readonly cases: readonly Case[];
  readonly desiredAPIVersion: string;
  readonly family: Family;
}

/** mulberry32: small, fast, and the same everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const APPS = [
  'orders',
  'billing',
  'catalog',
  'payments',
  'search',
  'identity',
  'inventory',
  'shipping',
  'ledger',
  'reports',
];
const ENGINES = [
  'postgres',
  'mysql',
  'mariadb',
  'registry.example.com:5000/platform/postgres',
  'ghcr.io/example/timescaledb',
];
const ROLES = ['read', 'write', 'admin', 'replication', 'backup', 'monitor'];
const PARAMETERS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['max_connections', ['100', '200', '500']],
  ['shared_buffers', ['128MB', '1GB', '4GB']],
  ['work_mem', ['4MB', '16MB', '64MB']],
  ['effective_cache_size', ['4GB', '12GB']],
  ['log_min_duration_statement', ['250', '1000']],
  ['wal_level', ['replica', 'logical']],
  ['statement_timeout', ['30s', '60s']],
];

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const hex8 = (rand: () => number): string =>
  Math.floor(rand() * 2 ** 32)
    .toString(16)
    .padStart(8, '0');
const uuid = (rand: () => number): string => {
  const h = hex8(rand) + hex8(rand) + hex8(rand) + hex8(rand);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const timestamp = (secondsAfter: number): string =>
  new Date(Date.UTC(2025, 0, 6, 8, 0, 0) + secondsAfter * 1000).toISOString().replace('.000Z', 'Z');

/** The keys of an object as a server-side-apply field set: {"f:key": {}} for each. */
const fieldSet = (o: Json): Json => Object.fromEntries(Object.keys(o).map((k) => [`f:${k}`, {}]));

/** How many of `n` objects carry int64 values: `share` of them, at least one when share > 0. */
export const int64Count = (n: number, share: number): number =>
  share > 0 ? Math.min(n, Math.max(1, Math.round(n * share))) : 0;

/** Whether object `i` of `n` carries int64 values: int64Count(n, share) of them, spread evenly. */
export const carriesInt64 = (i: number, n: number, share: number): boolean => {
  const k = int64Count(n, share);
  return Math.floor(((i + 1) * k) / n) > Math.floor((i * k) / n);
};

/**
 * Object `i` of a list generated with `seed`; with `int64`, spec.storageBytes and
 * status.observedGeneration hold integers beyond 2^53 (JSON.parse would round them).
 */
export function databaseCase(seed: number, i: number, int64: boolean): Case {
  const rand = prng(seed * 1_000_003 + i);
  const app = pick(rand, APPS);
  const name = `${app}-db-${i}`;
  const namespace = `${app}-${pick(rand, ['prod', 'staging', 'dev'])}`;
  const created = i * 37;
  const kubectl = rand() < 0.5;
  const engine = pick(rand, ENGINES);
  const engineVersion = `${10 + Math.floor(rand() * 7)}.${Math.floor(rand() * 10)}`;
  // Both draws happen either way, so an int64 object differs from its plain twin in these two values only.
  const plainStorage = (1 + Math.floor(rand() * 512)) * 1024 ** 3;
  const plainGeneration = 1 + Math.floor(rand() * 40);
  const storageBytes: number | bigint = int64 ? 2n ** 62n + BigInt(i) * 1_000_003n + 1n : plainStorage;
  const observedGeneration: number | bigint = int64 ? 2n ** 53n + BigInt(2 * i + 1) : plainGeneration;

  const labels: Json = {
    app,
    'app.kubernetes.io/name': 'database',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/part-of': app,
    'app.kubernetes.io/managed-by': kubectl ? 'kubectl' : 'Helm',
    'platform.example.com/tier': pick(rand, ['gold', 'silver', 'bronze']),
    team: `team-${app}`,
  };
  const parameters = Object.fromEntries(
    PARAMETERS.filter(() => rand() < 0.6).map(([k, values]) => [k, pick(rand, values)]),
  );
  const users = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, u) => {
    const roles = ROLES.filter(() => rand() < 0.35);
    return roles.length ? { name: `${app}-user-${u}`, roles } : { name: `${app}-user-${u}` };
  });
  const spec: Json = {
    image: `${engine}:${engineVersion}`,
    storageBytes,
    replicas: 1 + Math.floor(rand() * 5),
    port: rand() < 0.7 ? 5432 : 'db',
    parameters,
    users,
    backupSchedule: rand() < 0.8 ? `${Math.floor(rand() * 60)} ${Math.floor(rand() * 24)} * * *` : null,
  };
  const status: Json = {
    phase: pick(rand, ['Ready', 'Ready', 'Ready', 'Pending', 'Failed']),
    observedGeneration,
    endpoint: `${name}.${namespace}.svc.cluster.local:5432`,
  };
  const annotations: Json = kubectl
    ? {
        'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify({
          apiVersion: SOURCE_API_VERSION,
          kind: 'Database',
          metadata: { annotations: { 'platform.example.com/owner': `${app}@example.com` }, labels, name, namespace },
          spec: { ...spec, storageBytes: String(storageBytes) },
        })}\n`,
        'platform.example.com/owner': `${app}@example.com`,
      }
    : {
        'meta.helm.sh/release-name': `${app}-databases`,
        'meta.helm.sh/release-namespace': namespace,
        'platform.example.com/owner': `${app}@example.com`,
      };
  const specFields: Json = {
    ...fieldSet(spec),
    'f:parameters': { '.': {}, ...fieldSet(parameters) },
    'f:users': {},
  };
  const metadata: Json = {
    name,
    namespace,
    uid: uuid(rand),
    resourceVersion: String(1_000_000 + i * 13),
    generation: 1 + Math.floor(rand() * 40),
    creationTimestamp: timestamp(created),
    labels,
    annotations,
    finalizers: ['platform.example.com/backup-protection'],
    managedFields: [
      {
        manager: kubectl ? 'kubectl-client-side-apply' : 'helm',
        operation: 'Update',
        apiVersion: SOURCE_API_VERSION,
        time: timestamp(created),
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': {
            'f:annotations': { '.': {}, ...fieldSet(annotations) },
            'f:labels': { '.': {}, ...fieldSet(labels) },
          },
          'f:spec': { '.': {}, ...specFields },
        },
      },
      {
        manager: 'database-operator',
        operation: 'Update',
        apiVersion: SOURCE_API_VERSION,
        time: timestamp(created + 90),
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"platform.example.com/backup-protection"': {} } } },
      },
      {
        manager: 'database-operator',
        operation: 'Update',
        apiVersion: SOURCE_API_VERSION,
        time: timestamp(created + 120),
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': { '.': {}, ...fieldSet(status) } },
        subresource: 'status',
      },
    ],
  };
  const sent: Json = { apiVersion: SOURCE_API_VERSION, kind: 'Database', metadata, spec, status };
  return { sent, expected: expectedV1(sent), int64 };
}

/**
 * What converters/platform.example.com/Database makes of a v1alpha1 object at v1: the image split
 * at its last colon after the last slash into engine and version, storageBytes renamed
 * capacityBytes; metadata and status untouched (nothing is lost, so no stash annotation).
 */
function expectedV1(sent: Json): Json {
  const { image, storageBytes, ...rest } = sent.spec as Json & { image: string };
  const colon = image.lastIndexOf(':');
  const split =
    colon > image.lastIndexOf('/')
      ? { engine: image.slice(0, colon), version: image.slice(colon + 1) }
      : { engine: image };
  return { ...sent, apiVersion: DESIRED_API_VERSION, spec: { ...rest, ...split, capacityBytes: storageBytes } };
}

/** `count` objects generated with `seed`, `int64Share` of them carrying integers beyond 2^53. */
export const databaseCases = (seed: number, count: number, int64Share = 0): Case[] =>
  Array.from({ length: count }, (_, i) => databaseCase(seed, i, carriesInt64(i, count, int64Share)));

/**
 * The same list with `int64Share` of the objects carrying integers beyond 2^53 instead: equal to
 * databaseCases(seed, plain.length, int64Share), reusing the plain objects (generating 20,000
 * objects takes seconds).
 */
export const withInt64 = (seed: number, plain: readonly Case[], int64Share: number): Case[] =>
  plain.map((c, i) => (carriesInt64(i, plain.length, int64Share) ? databaseCase(seed, i, true) : c));

/** A deterministic request uid (the apiserver sends a fresh UUID; any string is fine). */
const reviewUid = (label: string, index: number): string => {
  const digits = prng(index + label.length * 7919)();
  return `00000000-0000-4000-8000-${Math.floor(digits * 2 ** 40)
    .toString(16)
    .padStart(12, '0')}`;
};

/** A ConversionReview v1 for `cases`, as the apiserver sends it (compact JSON). */
export function reviewPayload(
  label: string,
  index: number,
  cases: readonly Case[],
  family: Family = 'database',
  desiredAPIVersion = DESIRED_API_VERSION,
): ReviewPayload {
  const uid = reviewUid(label, index);
  // Object by object: only the objects holding a bigint take stringifyJson's slow path.
  const objects = cases.map((c) => stringifyJson(c.sent)).join(',');
  const text = `{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"uid":${JSON.stringify(uid)},"desiredAPIVersion":${JSON.stringify(desiredAPIVersion)},"objects":[${objects}]}}`;
  return { uid, body: Buffer.from(text), cases, desiredAPIVersion, family };
}

/** Seeds per workload: the big review is not the small one repeated. */
export const SEEDS = {
  small: 1,
  big: 2,
  int64: 2,
  single: 3,
  gen: 4,
  genBig: 5,
  cron: 6,
  cronBig: 7,
  cronSingle: 8,
} as const;

/** Distinct single-object reviews that the concurrent clients cycle through. */
export function singleObjectPayloads(count: number): ReviewPayload[] {
  return databaseCases(SEEDS.single, count).map((c, i) => reviewPayload('single', i, [c]));
}
