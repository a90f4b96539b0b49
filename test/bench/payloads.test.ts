import { expect } from 'chai';
import { registry } from '../../converters/index.js';
import { convertObject } from '../../src/convert/convertObject.js';
import { jsonEqual, parseJson } from '../../src/json/index.js';
import {
  carriesInt64,
  databaseCases,
  DESIRED_API_VERSION,
  int64Count,
  reviewPayload,
  singleObjectPayloads,
  SOURCE_API_VERSION,
  withInt64,
} from '../../bench/payloads.js';

describe('bench payloads', () => {
  const cases = databaseCases(7, 60, 0.05);

  it('are deterministic: the same seed gives the same bytes, another seed other objects', () => {
    expect(reviewPayload('x', 0, databaseCases(7, 60, 0.05)).body.equals(reviewPayload('x', 0, cases).body)).to.equal(
      true,
    );
    expect(jsonEqual(databaseCases(8, 3)[0]!.sent, cases[0]!.sent)).to.equal(false);
  });

  it('are realistic Database v1alpha1 objects: labels, annotations, finalizers, managedFields, nested spec, status', () => {
    for (const { sent } of cases) {
      expect(sent.apiVersion).to.equal(SOURCE_API_VERSION);
      const meta = sent.metadata as Record<string, unknown>;
      expect(meta).to.include.keys('name', 'namespace', 'uid', 'labels', 'annotations', 'finalizers', 'managedFields');
      expect(meta.managedFields).to.be.an('array').with.length.greaterThan(1);
      expect(sent.spec).to.include.keys('image', 'storageBytes', 'parameters', 'users');
      expect(sent.status).to.include.keys('phase', 'observedGeneration');
    }
    expect(new Set(cases.map((c) => (c.sent.metadata as { name: string }).name)).size).to.equal(cases.length);
  });

  it('carry integers beyond 2^53 in exactly the requested share of objects, spread out, at least one', () => {
    expect(int64Count(20_000, 0.01)).to.equal(200);
    expect(int64Count(20, 0.01)).to.equal(1);
    expect(int64Count(20, 0)).to.equal(0);
    expect(Array.from({ length: 20_000 }, (_, i) => carriesInt64(i, 20_000, 0.01)).filter(Boolean)).to.have.length(200);
    const big = cases.filter((c) => c.int64);
    expect(big).to.have.length(3);
    for (const c of big) {
      const spec = c.sent.spec as { storageBytes: unknown };
      expect(typeof spec.storageBytes).to.equal('bigint');
      expect((spec.storageBytes as bigint) > 2n ** 53n).to.equal(true);
    }
  });

  it('reuse the plain objects for the int64 variant without changing what it is', () => {
    const plain = databaseCases(7, 60);
    const mixed = withInt64(7, plain, 0.05);
    expect(mixed.map((c) => c.int64)).to.deep.equal(cases.map((c) => c.int64));
    expect(mixed.every((c, i) => jsonEqual(c.sent, cases[i]!.sent))).to.equal(true);
    const twin = mixed.findIndex((c) => c.int64);
    // An int64 object differs from its plain twin in the two int64 fields only.
    const strip = (o: Record<string, unknown>) => {
      const { storageBytes: _s, ...spec } = o.spec as Record<string, unknown>;
      const { observedGeneration: _g, ...status } = o.status as Record<string, unknown>;
      return { ...o, spec, status };
    };
    expect(jsonEqual(strip(mixed[twin]!.sent), strip(plain[twin]!.sent))).to.equal(true);
  });

  it('encode a review the exact parser reads back to the same objects, digits included', () => {
    const payload = reviewPayload('t', 1, cases);
    const review = parseJson(payload.body.toString()) as {
      request: { uid: string; desiredAPIVersion: string; objects: unknown[] };
    };
    expect(review.request.uid).to.equal(payload.uid);
    expect(review.request.desiredAPIVersion).to.equal(DESIRED_API_VERSION);
    expect(
      jsonEqual(
        review.request.objects,
        cases.map((c) => c.sent),
      ),
    ).to.equal(true);
  });

  it('expect what the shipped Database converters really answer (the hand-derived v1 matches convertObject)', () => {
    for (const c of [...cases, ...singleObjectPayloads(5).flatMap((p) => p.cases)]) {
      const result = convertObject(registry, c.sent, DESIRED_API_VERSION);
      expect(result.ok, JSON.stringify(!result.ok && result.failure)).to.equal(true);
      if (result.ok) expect(jsonEqual(result.object, c.expected)).to.equal(true);
    }
  });
});
