/**
 * What the real kube-apiserver sends a conversion webhook when clients read many objects: one
 * object per review, LISTs included. Each served version of a custom resource has its own storage,
 * which converts every object to that version as it is decoded from etcd (into its watch cache, or
 * for a read that bypasses the cache), so a LIST is answered from objects converted one by one.
 * docs/operations.md ("Conversion threads", "Workers") and the bench's workloads rest on this;
 * the test keeps the claim true for the apiserver version the e2e suite builds.
 */
import { expect } from 'chai';
import { applyChartCrds, e2e, freshNamespace, routeServiceTo, untilRead } from './support/env.js';
import type { Obj } from './support/kube.js';
import { correctAnswer, requestOf, startFakeWebhook, type FakeWebhook } from './support/fakeWebhook.js';

const OBJECTS = 30;

describe('what the real apiserver sends the webhook: one object per review, LISTs included', function () {
  this.timeout(120_000);
  let ns: string;
  let fake: FakeWebhook;
  const v1 = () => `/apis/stable.example.com/v1/namespaces/${ns}/backends`;
  const v2 = () => `/apis/stable.example.com/v2/namespaces/${ns}/backends`;

  before(async () => {
    const env = e2e();
    await applyChartCrds(env);
    ns = await freshNamespace(env.kube, 'shape');
    // A webhook that records every review and answers with crdconv's own conversion.
    fake = await startFakeWebhook(env.webhook.certDir, (review) => ({ body: correctAnswer(review) }));
  });
  after(async () => {
    const env = e2e();
    await routeServiceTo(env.kube, env.webhook.port);
    await untilRead(env.kube, v2(), (status) => status === 200);
    await fake?.close();
  });

  it(`converts ${OBJECTS} objects created at v1 one per review when they are listed at v2 (plain, from the cache, in pages)`, async () => {
    const { kube } = e2e();
    await routeServiceTo(kube, fake.port);
    await kube.create(v1(), {
      apiVersion: 'stable.example.com/v1',
      kind: 'Backend',
      metadata: { name: 'first' },
      hostPort: 'first:1',
    });
    // The Service now leads to the recorder: the first object read at v2 goes through it.
    await untilRead(kube, `${v2()}/first`, (status) => status === 200 && fake.requests.length > 0);
    const from = fake.requests.length;

    for (let i = 0; i < OBJECTS; i++) {
      await kube.create(v1(), {
        apiVersion: 'stable.example.com/v1',
        kind: 'Backend',
        metadata: { name: `b-${i}` },
        hostPort: `b-${i}.example.com:${1000 + i}`,
      });
    }
    const names = (items: Obj[]) => items.map((o) => String((o['metadata'] as Obj)['name'])).sort();
    const expected = ['first', ...Array.from({ length: OBJECTS }, (_, i) => `b-${i}`)].sort();
    const list = async (query: string): Promise<Obj[]> => {
      const res = await untilRead(kube, `${v2()}${query}`, (status, text) => {
        if (status !== 200) return false;
        const items = (JSON.parse(text) as { items: Obj[] }).items;
        return query.includes('limit') || items.length === expected.length;
      });
      return (JSON.parse(res.text) as { items: Obj[] }).items;
    };
    const plain = await list('');
    const cached = await list('?resourceVersion=0');
    const paged: Obj[] = [];
    let token = '';
    do {
      const res = await kube.raw('GET', `${v2()}?limit=7${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      expect(res.status, res.text.slice(0, 300)).to.equal(200);
      const page = JSON.parse(res.text) as { items: Obj[]; metadata: { continue?: string } };
      paged.push(...page.items);
      token = page.metadata.continue ?? '';
    } while (token);
    for (const [how, items] of [
      ['plain', plain],
      ['resourceVersion=0', cached],
      ['paged', paged],
    ] as const) {
      expect(names(items), how).to.deep.equal(expected);
      for (const o of items) expect(o['apiVersion'], how).to.equal('stable.example.com/v2');
    }

    const sizes = fake.requests.slice(from).map((r) => requestOf(r.review).objects.length);
    const histogram: Record<number, number> = {};
    for (const n of sizes) histogram[n] = (histogram[n] ?? 0) + 1;
    console.log(
      `      ${sizes.length} reviews while creating and listing; objects per review: ${JSON.stringify(histogram)}`,
    );
    // Every new object was converted to v2 (the LISTs show them there), each in a review of its own.
    expect(sizes.length, 'reviews').to.be.at.least(OBJECTS);
    expect(histogram, 'objects per review').to.have.all.keys('1');
  });
});
