import { expect } from 'chai';
import fc from 'fast-check';
import { metadataArbitrary } from '../../../src/testing/generators/metadataArbitrary.js';
import { parseJson, stringifyJson, jsonEqual } from '../../../src/json/index.js';
import { fcParameters, jsonProblems, show } from '../../interpreters/jsonClean.js';

type Meta = Record<string, unknown>;

// apimachinery's validation, restated independently of the generator's own regular expressions.
const isNamePart = (s: string) =>
  s.length >= 1 && s.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(s);
const isDnsSubdomain = (s: string) =>
  s.length >= 1 && s.length <= 253 && s.split('.').every((label) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(label));
const isQualifiedName = (k: string) => {
  const parts = k.split('/');
  if (parts.length === 1) return isNamePart(parts[0]!);
  return parts.length === 2 && isDnsSubdomain(parts[0]!) && isNamePart(parts[1]!);
};
const isLabelValue = (v: unknown) => v === '' || (typeof v === 'string' && isNamePart(v));
const isTimestamp = (v: unknown) =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v) && !Number.isNaN(Date.parse(v));
const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

const STASH = 'crdconv.example/stash';
const params = fcParameters();
const sample = (arb: fc.Arbitrary<Meta>, numRuns = 400): Meta[] => fc.sample(arb, { numRuns, seed: 20240601 });

/** Every FieldsV1 key is `f:`, `k:`, `v:`, `i:` or `.`, and every leaf is `{}`. */
function fieldsV1Problems(node: unknown, path = 'fieldsV1'): string[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return [`${path}: not an object`];
  return Object.entries(node).flatMap(([k, v]) =>
    k === '.' || /^[fkvi]:/.test(k)
      ? fieldsV1Problems(v, `${path}[${JSON.stringify(k)}]`)
      : [`${path}: key ${JSON.stringify(k)}`],
  );
}

function metadataProblems(m: Meta, namespaced: boolean): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  if ('name' in m) check(isDnsSubdomain(m['name'] as string), `name ${show(m['name'])}`);
  if ('namespace' in m)
    check(
      namespaced && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(m['namespace'] as string),
      `namespace ${show(m['namespace'])}`,
    );
  if ('uid' in m)
    check(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(m['uid'] as string),
      `uid ${show(m['uid'])}`,
    );
  if ('resourceVersion' in m) check(/^[1-9]\d*$/.test(m['resourceVersion'] as string), 'resourceVersion');
  if ('generation' in m)
    check(
      (typeof m['generation'] === 'number' || typeof m['generation'] === 'bigint') && m['generation'] >= 1,
      'generation',
    );
  for (const key of ['creationTimestamp', 'deletionTimestamp'])
    if (key in m) check(isTimestamp(m[key]), `${key} ${show(m[key])}`);
  if ('deletionGracePeriodSeconds' in m) check('deletionTimestamp' in m, 'a grace period without a deletion');
  const labels = (m['labels'] ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(labels))
    check(isQualifiedName(k) && isLabelValue(v), `label ${show(k)}=${show(v)}`);
  const annotations = (m['annotations'] ?? {}) as Record<string, unknown>;
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    check(isQualifiedName(k) && typeof v === 'string', `annotation ${show(k)}`);
    size += utf8Bytes(k) + utf8Bytes(String(v));
  }
  check(size <= 128 * 1024, `annotations total ${size} bytes: half the apiserver's limit is for the framework`);
  for (const ref of (m['ownerReferences'] ?? []) as Meta[]) {
    check(
      ['apiVersion', 'kind', 'name', 'uid'].every((k) => typeof ref[k] === 'string'),
      `ownerReference ${show(ref)}`,
    );
  }
  for (const f of (m['finalizers'] ?? []) as string[]) check(isQualifiedName(f), `finalizer ${show(f)}`);
  for (const entry of (m['managedFields'] ?? []) as Meta[]) {
    check(typeof entry['manager'] === 'string', 'manager');
    check(entry['operation'] === 'Apply' || entry['operation'] === 'Update', `operation ${show(entry['operation'])}`);
    check(typeof entry['apiVersion'] === 'string', 'managedFields apiVersion');
    if ('time' in entry) check(isTimestamp(entry['time']), 'managedFields time');
    check(entry['fieldsType'] === 'FieldsV1', 'fieldsType');
    problems.push(...fieldsV1Problems(entry['fieldsV1']));
  }
  return problems;
}

describe('testing/generators/metadataArbitrary', () => {
  it('generates ObjectMeta the apiserver would accept, JSON-clean, surviving a JSON round trip', () => {
    for (const namespaced of [false, true]) {
      fc.assert(
        fc.property(metadataArbitrary({ namespaced }), (m) => {
          expect(metadataProblems(m, namespaced), show(m).slice(0, 500)).to.deep.equal([]);
          expect(jsonProblems(m)).to.deep.equal([]);
          expect(jsonEqual(parseJson(stringifyJson(m)), m)).to.equal(true);
        }),
        params,
      );
    }
  });

  it('every field is sometimes absent and sometimes present; namespace only when namespaced', () => {
    const namespaced = sample(metadataArbitrary({ namespaced: true }));
    const fields = [
      'name',
      'namespace',
      'uid',
      'resourceVersion',
      'generation',
      'creationTimestamp',
      'deletionTimestamp',
      'labels',
      'annotations',
      'ownerReferences',
      'finalizers',
      'managedFields',
    ];
    for (const field of fields) {
      const present = namespaced.filter((m) => field in m).length;
      expect(present, `${field} present`).to.be.greaterThan(0).and.lessThan(namespaced.length);
    }
    expect(sample(metadataArbitrary()).some((m) => 'namespace' in m)).to.equal(false);
    const deleting = namespaced.filter((m) => 'deletionTimestamp' in m).length;
    expect(deleting, 'being deleted is the exception').to.be.lessThan(namespaced.length / 3);
  });

  it('excluded annotation keys never appear, though they would otherwise', () => {
    const key = 'kubectl.kubernetes.io/last-applied-configuration';
    const annotationKeys = (ms: Meta[]) => ms.flatMap((m) => Object.keys((m['annotations'] ?? {}) as object));
    expect(annotationKeys(sample(metadataArbitrary(), 1000))).to.include(key);
    const excluded = sample(metadataArbitrary({ excludeAnnotationKeys: [key, STASH] }), 1000);
    expect(annotationKeys(excluded)).to.not.include(key);
    expect(annotationKeys(excluded)).to.not.include(STASH);
  });

  it('labels and annotations include keys named like Object.prototype members, as own properties', () => {
    const ms = sample(metadataArbitrary(), 1000);
    const labelKeys = new Set(ms.flatMap((m) => Object.keys((m['labels'] ?? {}) as object)));
    expect(labelKeys.has('constructor') || labelKeys.has('toString')).to.equal(true);
    for (const m of ms) {
      for (const map of [m['labels'], m['annotations']]) {
        if (map !== undefined) expect(Object.getPrototypeOf(map)).to.equal(Object.prototype);
      }
    }
  });

  it('annotation values include unicode and long ones', () => {
    const values = sample(metadataArbitrary(), 1000).flatMap((m) =>
      Object.values((m['annotations'] ?? {}) as Record<string, string>),
    );
    expect(values.some((v) => /[^\u0000-\u007f]/.test(v))).to.equal(true);
    expect(values.some((v) => utf8Bytes(v) > 1024)).to.equal(true);
  });

  it('managedFields name the given apiVersions, both operations, and nested FieldsV1', () => {
    const apiVersions = ['platform.example.com/v1alpha1', 'platform.example.com/v1'];
    const entries = sample(metadataArbitrary({ apiVersions })).flatMap((m) => (m['managedFields'] ?? []) as Meta[]);
    expect(new Set(entries.map((e) => e['apiVersion']))).to.deep.equal(new Set(apiVersions));
    expect(new Set(entries.map((e) => e['operation']))).to.deep.equal(new Set(['Apply', 'Update']));
    const depth = (n: unknown): number =>
      typeof n === 'object' && n !== null ? 1 + Math.max(0, ...Object.values(n).map(depth)) : 0;
    expect(Math.max(...entries.map((e) => depth(e['fieldsV1'])))).to.be.greaterThan(2);
  });
});
