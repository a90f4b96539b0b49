import fc from 'fast-check';
import { int64Arbitrary, lengthsOf, objectFromEntries, stringArbitrary } from './arbitraryPrimitives.js';

/**
 * ObjectMeta as the apiserver stores it and sends it in a ConversionReview, for property tests of
 * everything that must carry metadata through untouched (the apiserver replaces all of it but
 * labels and annotations, and those must come back exactly).
 *
 * Every field is sometimes absent (server-side apply, hand-made test objects); keys come in the
 * order the apiserver writes them; label and annotation keys are valid qualified names, some of
 * them names of Object.prototype members (`constructor` is a valid label key).
 */
export interface MetadataArbitraryOptions {
  /** Annotation keys never to generate, such as the framework's own stash annotation. */
  excludeAnnotationKeys?: readonly string[];
  /** Generate `namespace` (sometimes absent all the same); default false. */
  namespaced?: boolean;
  /** The `apiVersion`s managedFields entries name; default a few of an example group. */
  apiVersions?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Names, as apimachinery validates them

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** The first part of a qualified name or a label value: at most 63 characters. */
const namePart: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('app', 'tier', 'constructor', 'toString', 'prototype', 'hasOwnProperty', 'a', 'A.b_c-d'),
  fc.stringMatching(NAME_PART, { maxLength: 63 }),
);

const dnsLabel: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('default', 'kube-system', 'a', 'x'.repeat(63)),
  fc.stringMatching(DNS_LABEL, { maxLength: 63 }),
);

const dnsSubdomain: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('example.com', 'app.kubernetes.io', 'kubernetes.io', 'a'),
  fc.stringMatching(DNS_SUBDOMAIN, { maxLength: 253 }),
);

/** `prefix/name` or `name`: the form label and annotation keys take. */
export const qualifiedNameArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'app.kubernetes.io/name',
    'kubectl.kubernetes.io/last-applied-configuration',
    'example.com/note',
    'constructor',
    'toString',
  ),
  namePart,
  fc.tuple(dnsSubdomain, namePart).map(([prefix, name]) => `${prefix}/${name}`),
);

/** A label value: empty or a name part, at most 63 characters. */
const labelValue: fc.Arbitrary<string> = fc.oneof(fc.constant(''), namePart);

/** Any string, and sometimes a long one (kilobytes) like a last-applied-configuration. */
const annotationValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: stringArbitrary(), weight: 6 },
  { arbitrary: fc.constantFrom('', '{"apiVersion":"v1","kind":"X","metadata":{}}', 'true'), weight: 1 },
  {
    // At most 16 code points x 256 = 4096 code points, 16 KiB: the whole set stays far below
    // the apiserver's 256 KiB, leaving room for the framework's stash.
    arbitrary: fc
      .tuple(stringArbitrary({ minLength: 1, maxLength: 16 }), fc.integer({ min: 64, max: 256 }))
      .map(([s, n]) => s.repeat(n)),
    weight: 1,
  },
);

/** A non-empty map (the apiserver omits empty ones) with unique keys. */
const mapOf = (keys: fc.Arbitrary<string>, values: fc.Arbitrary<string>, maxLength: number) =>
  objectFromEntries(
    lengthsOf((r) => fc.uniqueArray(fc.tuple(keys, values), { ...r, selector: ([k]) => k }), {
      minLength: 1,
      maxLength,
    }),
  );

// ---------------------------------------------------------------------------------------------
// Identity and bookkeeping

/** The seconds-precision UTC time metav1.Time writes. */
const timestamp: fc.Arbitrary<string> = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => `${d.toISOString().slice(0, 19)}Z`);

const uid: fc.Arbitrary<string> = fc.uuid();

/** resourceVersion is an opaque string; etcd writes its revision, a decimal int64. */
const resourceVersion: fc.Arbitrary<string> = fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String);

const positiveInt64 = int64Arbitrary({ minimum: 1 });

const kindName = fc.oneof(
  fc.constantFrom('Deployment', 'ReplicaSet', 'Database', 'CronJob'),
  fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,20}$/),
);

const ownerReference = fc.record(
  {
    apiVersion: fc.constantFrom('apps/v1', 'v1', 'platform.example.com/v1', 'batch/v1'),
    kind: kindName,
    name: dnsSubdomain,
    uid,
    controller: fc.boolean(),
    blockOwnerDeletion: fc.boolean(),
  },
  { requiredKeys: ['apiVersion', 'kind', 'name', 'uid'], noNullPrototype: true },
);

const finalizer: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('kubernetes', 'foregroundDeletion', 'orphan', 'example.com/cleanup'),
  qualifiedNameArbitrary,
);

// ---------------------------------------------------------------------------------------------
// managedFields

/**
 * A FieldsV1 key: `f:<field>`, `k:<json key of a list item>`, `v:<json value of a set item>`,
 * `i:<index>`, or `.` for the node itself.
 */
const fieldsV1Key: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc
      .oneof(fc.constantFrom('spec', 'status', 'metadata', 'labels', 'replicas'), namePart)
      .map((f) => `f:${f}`),
    weight: 6,
  },
  { arbitrary: dnsLabel.map((n) => `k:${JSON.stringify({ name: n })}`), weight: 1 },
  { arbitrary: fc.oneof(stringArbitrary(), fc.integer()).map((v) => `v:${JSON.stringify(v)}`), weight: 1 },
  { arbitrary: fc.nat(100).map((i) => `i:${i}`), weight: 1 },
  { arbitrary: fc.constant('.'), weight: 1 },
);

/** A FieldsV1 set: nested objects whose leaves are `{}`; the root names at least one field. */
const fieldsV1: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{
  node: Record<string, unknown>;
  inner: Record<string, unknown>;
}>((tie) => ({
  node: fc.oneof({ depthSize: 'small', maxDepth: 4, withCrossShrink: true }, fc.constant({}), tie('inner')),
  inner: objectFromEntries(
    fc.uniqueArray(fc.tuple(fieldsV1Key, tie('node')), { minLength: 1, maxLength: 4, selector: ([k]) => k }),
  ),
})).inner;

const managedFieldsEntry = (apiVersions: readonly string[]) =>
  fc.record(
    {
      manager: fc.oneof(
        fc.constantFrom('kubectl-client-side-apply', 'kube-controller-manager', 'before-first-apply', 'helm'),
        dnsLabel,
      ),
      operation: fc.constantFrom('Apply', 'Update'),
      apiVersion: fc.constantFrom(...apiVersions),
      time: timestamp,
      fieldsType: fc.constant('FieldsV1'),
      fieldsV1,
      subresource: fc.constantFrom('status', 'scale'),
    },
    { requiredKeys: ['manager', 'operation', 'apiVersion', 'fieldsType', 'fieldsV1'], noNullPrototype: true },
  );

// ---------------------------------------------------------------------------------------------

export function metadataArbitrary(options: MetadataArbitraryOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  const excluded = new Set(options.excludeAnnotationKeys ?? []);
  const apiVersions = options.apiVersions?.length
    ? options.apiVersions
    : ['platform.example.com/v1alpha1', 'platform.example.com/v1'];
  // Keys under the framework's own prefix too: taking the stash must leave them alone.
  const annotationKey = fc
    .oneof(
      { arbitrary: qualifiedNameArbitrary, weight: 6 },
      { arbitrary: fc.constantFrom('crdconv.io/note', 'crdconv.io/stash-backup', 'crdconv.io/stash.v2'), weight: 1 },
    )
    .filter((k) => !excluded.has(k));
  // Field order is the apiserver's (ObjectMeta's field order), so serialized bytes look familiar.
  const model: Record<string, fc.Arbitrary<unknown>> = {
    name: dnsSubdomain,
    generateName: dnsLabel.map((n) => `${n.slice(0, 57)}-`),
    ...(options.namespaced && { namespace: dnsLabel }),
    uid,
    resourceVersion,
    generation: positiveInt64,
    creationTimestamp: timestamp,
    deletionTimestamp: timestamp,
    deletionGracePeriodSeconds: fc.integer({ min: 0, max: 3600 }),
    labels: mapOf(qualifiedNameArbitrary, labelValue, 10),
    annotations: mapOf(annotationKey, annotationValue, 8),
    ownerReferences: lengthsOf((r) => fc.array(ownerReference, r), { minLength: 1, maxLength: 3 }),
    finalizers: lengthsOf((r) => fc.uniqueArray(finalizer, r), { minLength: 1, maxLength: 4 }),
    managedFields: lengthsOf((r) => fc.array(managedFieldsEntry(apiVersions), r), { minLength: 1, maxLength: 4 }),
  };
  // Being deleted is the exception (one object in six), and a grace period comes only with it.
  const deleting = fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 });
  return fc
    .tuple(fc.record(model, { requiredKeys: [], noNullPrototype: true }), deleting)
    .map(([meta, isDeleting]) => (isDeleting && 'deletionTimestamp' in meta ? meta : withoutDeletion(meta)));
}

function withoutDeletion(meta: Record<string, unknown>): Record<string, unknown> {
  const { deletionTimestamp: _at, deletionGracePeriodSeconds: _grace, ...rest } = meta;
  return rest;
}
