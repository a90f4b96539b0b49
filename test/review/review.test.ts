import { expect } from 'chai';
import { registry } from '../../converters/index.js';
import { handleReview } from '../../src/review/handleReview.js';
import { encodeResponse, encodeResponseParts, readReview, type ConversionRequest } from '../../src/review/review.js';
import { backendV1, databaseV1alpha1 } from '../support/objects.js';

const request = (objects: unknown[], desiredAPIVersion: unknown = 'stable.example.com/v2'): ConversionRequest => ({
  reviewVersion: 'apiextensions.k8s.io/v1',
  uid: 'u',
  desiredAPIVersion,
  objects,
});

describe('ConversionReview', () => {
  it('reads both review versions and ignores a response stanza', () => {
    for (const apiVersion of ['apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1']) {
      const r = readReview({
        apiVersion,
        kind: 'ConversionReview',
        request: { uid: 'x', desiredAPIVersion: 'a/v1', objects: [] },
        response: { uid: 'other' },
      });
      expect(r).to.deep.equal({ reviewVersion: apiVersion, uid: 'x', desiredAPIVersion: 'a/v1', objects: [] });
    }
  });

  it('encodes Success with the converted objects and Failure without them', () => {
    expect(
      JSON.parse(
        encodeResponse({
          reviewVersion: 'apiextensions.k8s.io/v1beta1',
          uid: 'u',
          result: { status: 'Success' },
          convertedObjects: ['{"a":1}', '{"b":2}'],
        }),
      ),
    ).to.deep.equal({
      apiVersion: 'apiextensions.k8s.io/v1beta1',
      kind: 'ConversionReview',
      response: { uid: 'u', result: { status: 'Success' }, convertedObjects: [{ a: 1 }, { b: 2 }] },
    });
    const failure = JSON.parse(
      encodeResponse({
        reviewVersion: 'apiextensions.k8s.io/v1',
        uid: 'u',
        result: { status: 'Failure', message: 'm "quoted"' },
        convertedObjects: [],
      }),
    );
    expect(failure.response).to.deep.equal({ uid: 'u', result: { status: 'Failure', message: 'm "quoted"' } });
  });

  it('writes a large answer in pieces that join to one valid document, in order', () => {
    const objects = Array.from({ length: 600 }, (_, i) => `{"i":${i}}`);
    const parts = encodeResponseParts({
      reviewVersion: 'apiextensions.k8s.io/v1',
      uid: 'u',
      result: { status: 'Success' },
      convertedObjects: objects,
    });
    expect(parts.length).to.be.greaterThan(2);
    expect(JSON.parse(parts.join('')).response.convertedObjects.map((o: { i: number }) => o.i)).to.deep.equal(
      objects.map((_, i) => i),
    );
    expect(
      encodeResponseParts({
        reviewVersion: 'apiextensions.k8s.io/v1',
        uid: 'u',
        result: { status: 'Success' },
        convertedObjects: objects.slice(0, 3),
      }),
    ).to.have.length(1);
  });

  it('names up to three failing objects, then counts the rest', () => {
    const bad = (name: string) => ({ ...backendV1(name, 'x'), hostPort: 7 });
    const outcome = handleReview(
      registry,
      request([bad('a'), backendV1('ok', 'h:1'), bad('b'), bad('c'), bad('d'), bad('e')]),
    );
    const message = (outcome.response.result as { message: string }).message;
    expect(message).to.match(
      /^conversion failed: object 0: Backend default\/a .*object 2: Backend default\/b .*object 3: Backend default\/c .*; and 2 more of 6 objects failed$/,
    );
    expect(outcome.objects.map((o) => o.ok)).to.deep.equal([false, true, false, false, false, false]);
    expect(outcome.objects[0]).to.include({ kind: 'Backend', from: 'v1', to: 'v2', reason: 'DecodeFailed' });
  });

  it('records per object its kind, versions and stash outcome', () => {
    const outcome = handleReview(registry, request([databaseV1alpha1('d')], 'platform.example.com/v1'));
    expect(outcome.response.result.status).to.equal('Success');
    expect(outcome.objects[0]).to.include({
      kind: 'Database',
      from: 'v1alpha1',
      to: 'v1',
      ok: true,
      stash: 'none',
      object: 'Database default/d',
    });
  });

  it('fails a review without desiredAPIVersion or objects', () => {
    expect(handleReview(registry, request([], null)).failure).to.equal(
      'the ConversionReview request has no desiredAPIVersion',
    );
    expect(handleReview(registry, { ...request([]), objects: 'x' }).failure).to.equal(
      'the ConversionReview request has no objects list',
    );
  });
});
