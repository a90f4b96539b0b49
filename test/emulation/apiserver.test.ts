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
    rejects(answer({}), /HTTP 500/, 500);
    rejects('', /0-length response/);
    rejects(
      answer({}, { apiVersion: 'apiextensions.k8s.io/v1beta1' }),
      /expected webhook response of apiextensions.k8s.io\/v1/,
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
      /must have the same uid/,
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
});
