/**
 * What the real apiserver sends a conversion webhook during server-side apply (issue 14): the
 * Service is routed to a recording webhook that converts with crdconv's own conversion (the same
 * code `crdconv serve` runs), a Backend is applied through v2 (not the storage version) and
 * through v1 by two field managers, and every object the apiserver sent is recorded: whether
 * metadata is null or missing, which top-level and metadata fields it holds. The shapes are
 * printed as `SSA <label>: ...` (docs/testing-e2e.md quotes them).
 */
import { expect } from 'chai';
import { e2e, freshNamespace, routeServiceTo, untilRead } from './support/env.js';
import { metadataOf, type Obj } from './support/kube.js';
import { requestOf, startFakeWebhook, type FakeWebhook } from './support/fakeWebhook.js';
import { convertLocally } from './support/samples.js';

const log = (label: string, message: string): void => {
  process.stderr.write(`SSA ${label}: ${message}\n`);
};

/** crdconv's conversion of every object sent, as a v1 ConversionReview answer. */
const convertWithCrdconv = (review: Obj): Obj => {
  const request = requestOf(review);
  try {
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: {
        uid: request.uid,
        result: { status: 'Success' },
        convertedObjects: request.objects.map((o) => convertLocally(o, request.desiredAPIVersion)),
      },
    };
  } catch (e) {
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: { uid: request.uid, result: { status: 'Failure', message: String(e) } },
    };
  }
};

interface Shape {
  readonly from: string;
  readonly to: string;
  /** `object`, `null` or `missing`. */
  readonly metadata: string;
  readonly keys: string[];
  readonly metadataKeys: string[];
}

const shapeOf = (o: Obj, to: string): Shape => {
  const m = o['metadata'];
  return {
    from: String(o['apiVersion']),
    to,
    metadata: !Object.hasOwn(o, 'metadata') ? 'missing' : m === null ? 'null' : typeof m,
    keys: Object.keys(o).sort(),
    metadataKeys: typeof m === 'object' && m !== null ? Object.keys(m).sort() : [],
  };
};

describe('server-side apply: what the real apiserver sends the conversion webhook (issue 14)', function () {
  this.timeout(120_000);
  let ns: string;
  let recorder: FakeWebhook;
  const at = (v: string, name: string) => `/apis/stable.example.com/${v}/namespaces/${ns}/backends/${name}`;

  before(async () => {
    const { kube, webhook } = e2e();
    ns = await freshNamespace(kube, 'ssa-partial');
    await kube.create(`/apis/stable.example.com/v1/namespaces/${ns}/backends`, {
      apiVersion: 'stable.example.com/v1',
      kind: 'Backend',
      metadata: { name: 'probe' },
      hostPort: 'probe:1',
    });
    recorder = await startFakeWebhook(webhook.certDir, (review) => ({ body: convertWithCrdconv(review) }));
    await routeServiceTo(kube, recorder.port);
    // The EndpointSlice takes a moment to reach the apiserver's resolver.
    await untilRead(kube, at('v2', 'probe'), (status) => status === 200 && recorder.requests.length > 0);
  });
  after(async () => {
    const { kube, webhook } = e2e();
    await routeServiceTo(kube, webhook.port);
    await untilRead(kube, at('v2', 'probe'), (status) => status === 200);
    await recorder?.close();
  });

  it('two managers apply through v2 and v1; every object sent is recorded and converts', async () => {
    const { kube } = e2e();
    const name = 'applied';
    const v2Config = (port: string): Obj => ({
      apiVersion: 'stable.example.com/v2',
      kind: 'Backend',
      metadata: { name, namespace: ns, labels: { 'e2e.crdconv.io/v2-client': 'yes' } },
      host: 'db.example.com',
      port,
    });
    const v1Config: Obj = {
      apiVersion: 'stable.example.com/v1',
      kind: 'Backend',
      metadata: { name, namespace: ns, annotations: { 'e2e.crdconv.io/v1-client': 'yes' } },
    };
    const steps: [string, () => Promise<Obj>][] = [
      ['apply-v2-create', () => kube.apply(at('v2', name), v2Config('5432'), 'ssa-v2-client')],
      ['apply-v1-second-manager', () => kube.apply(at('v1', name), v1Config, 'ssa-v1-client')],
      ['apply-v2-change', () => kube.apply(at('v2', name), v2Config('6543'), 'ssa-v2-client')],
      ['apply-v2-noop', () => kube.apply(at('v2', name), v2Config('6543'), 'ssa-v2-client')],
    ];
    const all: { step: string; shape: Shape; object: Obj }[] = [];
    for (const [step, run] of steps) {
      const from = recorder.requests.length;
      const answer = await run();
      const sent = recorder.requests.slice(from);
      for (const r of sent) {
        const request = requestOf(r.review);
        for (const o of request.objects) {
          // The apiserver may convert other objects meanwhile (a watch cache refilling): only an
          // object that names another object is left out; one without metadata stays, and fails below.
          const meta = o['metadata'];
          if (
            meta !== null &&
            typeof meta === 'object' &&
            ((meta as Obj)['namespace'] !== ns || (meta as Obj)['name'] !== name)
          )
            continue;
          all.push({ step, shape: shapeOf(o, request.desiredAPIVersion), object: o });
        }
      }
      log(
        step,
        `${sent.length} reviews, objects: ${JSON.stringify(
          sent.flatMap((r) =>
            requestOf(r.review).objects.map((o) => shapeOf(o, requestOf(r.review).desiredAPIVersion)),
          ),
        )}`,
      );
      expect(answer['apiVersion'], step).to.be.a('string');
    }
    for (const { step, object } of all) log(`${step} object`, JSON.stringify(object));

    const stored = await kube.get(at('v1', name));
    const managers = (metadataOf(stored)['managedFields'] as Obj[]).map(
      (m) => `${String(m['manager'])}@${String(m['apiVersion'])}`,
    );
    log('managers', managers.join(' '));
    expect(managers).to.include.members(['ssa-v2-client@stable.example.com/v2', 'ssa-v1-client@stable.example.com/v1']);
    expect(stored['hostPort']).to.equal('db.example.com:6543');
    expect(all.length, 'objects the apiserver sent during the applies').to.be.above(0);

    // Never `metadata: null` nor a missing metadata: every object names the applied Backend.
    for (const { step, shape, object } of all) {
      expect(shape.metadata, `${step}: ${JSON.stringify(object)}`).to.equal('object');
      expect(metadataOf(object)['name'], step).to.equal(name);
      expect(metadataOf(object)['namespace'], step).to.equal(ns);
    }
    // Partial objects: no uid, creationTimestamp, managedFields or resourceVersion.
    const partial = ({ shape }: { shape: Shape }): boolean => !shape.metadataKeys.includes('uid');
    const partials = all.filter(partial);
    log('partials', JSON.stringify(partials.map((p) => ({ step: p.step, ...p.shape }))));
    for (const p of partials) {
      expect(p.shape.metadataKeys, JSON.stringify(p.object)).to.satisfy((keys: string[]) =>
        keys.every((k) => ['name', 'namespace', 'labels', 'annotations'].includes(k)),
      );
    }
    // Creating, and a second manager's first apply through the storage version: whole objects only.
    expect(all.filter((o) => o.step === 'apply-v2-create' || o.step === 'apply-v1-second-manager').filter(partial)).to
      .be.empty;
    for (const step of ['apply-v2-change', 'apply-v2-noop']) {
      const here = partials.filter((p) => p.step === step).map((p) => p.object);
      // The applied configuration of the v2 manager as sent, nothing else: converted to v1.
      expect(here, step).to.deep.include(v2Config('6543'));
      // The live object cut down to the fields managers own (both managers' metadata, the
      // body), without the server-set metadata: converted from v1 to v2.
      expect(here, step).to.deep.include({
        apiVersion: 'stable.example.com/v1',
        kind: 'Backend',
        metadata: {
          name,
          namespace: ns,
          labels: { 'e2e.crdconv.io/v2-client': 'yes' },
          annotations: { 'e2e.crdconv.io/v1-client': 'yes' },
        },
        hostPort: 'db.example.com:6543',
      });
    }
    // Every partial object still carries the body fields of its version (none came without them).
    for (const p of all)
      expect(
        p.shape.keys.some((k) => ['host', 'port', 'hostPort'].includes(k)),
        p.step,
      ).to.be.true;
  });
});
