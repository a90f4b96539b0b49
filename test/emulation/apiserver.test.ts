import { expect } from 'chai';
import { acceptAnswer, ApiserverRejection, buildReview, isQualifiedName } from '../support/apiserver.js';
import { backendV1 } from '../support/objects.js';

// The apiserver emulation is what every endpoint test trusts: it must reject what the real
// apiserver rejects, or those tests prove nothing.
describe('the apiserver emulation rejects what the apiserver rejects', () => {
  const sent = buildReview([backendV1('a', 'h:1'), backendV1('b', 'h:2')], 'stable.example.com/v2');
  const good = (): Array<Record<string, unknown>> =>
    sent.objects.map((o) => ({ ...structuredClone(o), apiVersion: 'stable.example.com/v2' }));
  const answer = (response: Record<string, unknown>, review: Record<string, unknown> = {}) =>
    JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: { uid: sent.uid, result: { status: 'Success' }, convertedObjects: good(), ...response },
      ...review,
    });
  const rejects = (text: string, why: RegExp, status = 200) =>
    expect(() => acceptAnswer(sent, status, text)).to.throw(ApiserverRejection, why);

  it('accepts a correct answer and restores metadata except labels and annotations', () => {
    const objects = good();
    (objects[0]!.metadata as Record<string, unknown>).resourceVersion = 'changed';
    const accepted = acceptAnswer(sent, 200, answer({ convertedObjects: objects }));
    expect((accepted[0]!.metadata as Record<string, unknown>).resourceVersion).to.equal('4711');
  });

  it('rejects HTTP errors, empty bodies, another review version and a missing response', () => {
    rejects(answer({}), /failed: an error on the server \("unknown"\) has prevented the request from succeeding$/, 500);
    rejects('', /0-length response/);
    rejects(
      answer({}, { apiVersion: 'apiextensions.k8s.io/v1beta1' }),
      /failed: converting \(v1beta1.ConversionReview\) to \(v1.ConversionReview\): unknown conversion$/,
    );
    rejects(
      JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview' }),
      /no response provided/,
    );
  });

  it('rejects a wrong uid, a Failure, and a wrong count', () => {
    rejects(answer({ uid: 'other' }), /expected response.uid/);
    rejects(answer({ result: { status: 'Failure', message: 'nope' } }), /nope/);
    rejects(answer({ convertedObjects: good().slice(1) }), /returned 1 objects, expected 2/);
  });

  it('rejects a wrong apiVersion, kind, name, namespace or uid, and missing metadata', () => {
    const tweak = (f: (o: Record<string, any>) => void) => {
      const objects = good() as Array<Record<string, any>>;
      objects[1] = structuredClone(objects[1]!);
      f(objects[1]);
      return answer({ convertedObjects: objects });
    };
    rejects(
      tweak((o) => (o.apiVersion = 'stable.example.com/v1')),
      /invalid groupVersion/,
    );
    rejects(
      tweak((o) => (o.kind = 'Other')),
      /invalid kind/,
    );
    rejects(
      tweak((o) => (o.metadata.name = 'renamed')),
      /must have the same name/,
    );
    rejects(
      tweak((o) => (o.metadata.namespace = 'elsewhere')),
      /must have the same namespace/,
    );
    rejects(
      tweak((o) => (o.metadata.uid = 'x')),
      /returned invalid converted object at index 1: must have the same UID: /,
    );
    // As in webhook_converter.go, identity is checked before metadata is restored.
    rejects(
      tweak((o) => delete o.metadata),
      /must have the same name/,
    );
  });

  it('rejects changed labels or annotations that are not valid', () => {
    const withMeta = (meta: Record<string, unknown>) => {
      const objects = good() as Array<Record<string, any>>;
      objects[0] = { ...objects[0], metadata: { ...objects[0]!.metadata, ...meta } };
      return answer({ convertedObjects: objects });
    };
    rejects(withMeta({ labels: { app: 'x'.repeat(64) } }), /metadata.labels/);
    rejects(withMeta({ annotations: { 'not a key': 'v' } }), /metadata.annotation/);
    rejects(withMeta({ annotations: { big: 'x'.repeat(256 * 1024) } }), /Too long/);
    rejects(withMeta({ annotations: { n: 1 } }), /must be a string/);
    expect(isQualifiedName('crdconv.io/stash')).to.equal(true);
    expect(isQualifiedName('a/b/c')).to.equal(false);
  });

  // The wording of kube-apiserver v1.37.2, recorded by test/e2e/failures.e2e.ts against the real
  // one: one object sent (get, writes, watch events) and several sent together read differently.
  it('words its rejections as kube-apiserver v1.37.2 does, for one object and for several', () => {
    const one = buildReview([backendV1('a', 'h:1')], 'stable.example.com/v2');
    const reply = (objects: Array<Record<string, unknown>>) =>
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        response: { uid: one.uid, result: { status: 'Success' }, convertedObjects: objects },
      });
    const converted = (): Array<Record<string, any>> =>
      one.objects.map((o) => ({ ...structuredClone(o), apiVersion: 'stable.example.com/v2' }));
    const message = (text: string, status = 200, sent = one) => {
      try {
        acceptAnswer(sent, status, text);
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    const head = 'conversion webhook for stable.example.com/v1, Kind=Backend';
    expect(message('')).to.equal(
      `${head} failed: 0-length response with status code: 200 and content type: application/json`,
    );
    expect(message(reply([]))).to.equal(`${head} returned 0 objects, expected 1`);
    expect(message(reply(converted().map((o) => ({ ...o, kind: 'Other' }))))).to.equal(
      `${head} returned invalid object at index 0: invalid kind (expected Backend, received Other)`,
    );
    expect(message(reply(converted().map((o) => ({ ...o, metadata: null }))))).to.equal(
      `${head} returned invalid object: must have the same name: a != `,
    );
    expect(
      message(reply(converted().map((o) => ({ ...o, metadata: { ...o.metadata, labels: { app: 'x'.repeat(64) } } })))),
    ).to.equal(
      `${head} returned invalid metadata: metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 bytes`,
    );
    expect(
      message(reply(converted().map((o) => ({ ...o, metadata: { ...o.metadata, annotations: { n: 1 } } })))),
    ).to.equal(
      `${head} returned invalid metadata: metadata.annotations[n] must be a string, but is int64 in converted object`,
    );
    expect(
      message(
        reply(
          converted().map((o) => ({ ...o, metadata: { ...o.metadata, annotations: { big: 'x'.repeat(256 * 1024) } } })),
        ),
      ),
    ).to.equal(`${head} returned invalid metadata: metadata.annotation: Too long: may not be more than 262144 bytes`);
    const two = buildReview([backendV1('a', 'h:1'), backendV1('b', 'h:2')], 'stable.example.com/v2');
    const twoReply = JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: {
        uid: two.uid,
        result: { status: 'Success' },
        convertedObjects: two.objects.map((o) => ({ ...structuredClone(o), apiVersion: 'stable.example.com/v1' })),
      },
    });
    expect(message(twoReply, 200, two)).to.equal(
      `${head} returned invalid converted object at index 0: invalid groupVersion (expected stable.example.com/v2, received stable.example.com/v1)`,
    );
  });
});
