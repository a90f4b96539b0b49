/**
 * What a user sees when conversion fails, as the real apiserver says it; the webhook reached by
 * URL as well as by Service; and the answer checks of test/support/apiserver.ts (the emulation
 * the unit tests trust) held against the real apiserver's, case by case.
 */
import { expect } from 'chai';
import { ApiserverRejection, acceptAnswer, type SentReview } from '../support/apiserver.js';
import { createDevCertificates } from '../../src/server/tls/devCert.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyChartCrds,
  applyObject,
  e2e,
  freshNamespace,
  routeServiceTo,
  startWebhook,
  stopWebhook,
  waitEstablished,
  NAMESPACE,
  SERVICE,
  untilRead,
} from './support/env.js';
import { type Obj } from './support/kube.js';
import { stringifyJson } from '../../src/json/index.js';
import { correctAnswer, startFakeWebhook, requestOf, type FakeWebhook, type Answer } from './support/fakeWebhook.js';

const CRD = 'backends.stable.example.com';
const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD}`;
const record = process.env['CRDCONV_E2E_RECORD'] === '1';
const say = (label: string, message: string): void => {
  if (record) process.stderr.write(`RECORDED ${label}: ${message}\n`);
};

const bent =
  (bend: (answer: Obj & { response: Obj & { convertedObjects: Obj[] } }) => void) =>
  (review: Obj): Answer => {
    const answer = correctAnswer(review) as Obj & { response: Obj & { convertedObjects: Obj[] } };
    bend(answer);
    return { body: answer };
  };

/** The apiserver's message with the parts that change from run to run (revision) made fixed. */
const normalize = (message: string): string => message.replace(/revision=\d+/, 'revision=N');

/** The conversion error inside the apiserver's storage error: what the emulation models. */
const inner = (message: string): string => {
  const at = message.indexOf('conversion webhook for ');
  return at < 0 ? message : message.slice(at);
};

describe("what a user sees when conversion fails (the real apiserver's messages)", () => {
  let ns: string;
  let fake: FakeWebhook;
  const path = () => `/apis/stable.example.com/v2/namespaces/${ns}/backends`;
  /** How a failed GET of one object is worded (v1.37.2): the conversion error inside a storage error. */
  const getHead = () =>
    `Internal error occurred: StorageError: corrupt object, Code: 7, Key: /stable.example.com/backends/${ns}/a, ResourceVersion: 0, AdditionalErrorMsg: object not decodable revision=N: conversion webhook for stable.example.com/v1, Kind=Backend failed: `;
  const post = `Post "https://${SERVICE}.${NAMESPACE}.svc:443/convert?timeout=30s": `;

  before(async () => {
    const env = e2e();
    await applyChartCrds(env);
    ns = await freshNamespace(env.kube, 'failures');
    for (const name of ['a', 'b']) {
      await env.kube.create(`/apis/stable.example.com/v1/namespaces/${ns}/backends`, {
        apiVersion: 'stable.example.com/v1',
        kind: 'Backend',
        metadata: { name },
        hostPort: `${name}:1`,
      });
    }
    fake = await startFakeWebhook(env.webhook.certDir, (review) => ({ body: correctAnswer(review) }));
  });
  afterEach(async () => {
    const env = e2e();
    await applyChartCrds(env);
    await routeServiceTo(env.kube, env.webhook.port);
    await untilRead(env.kube, path(), (status) => status === 200);
  });
  after(async () => {
    await fake?.close();
  });

  /** Reads `a` at v2 until the apiserver answers 500 (changes take a moment to reach it). */
  const read = async (label: string): Promise<{ status: number; message: string; reason: unknown }> => {
    const res = await untilRead(e2e().kube, `${path()}/a`, (status) => status === 500);
    const status = JSON.parse(res.text) as Obj;
    const message = normalize(String(status['message']));
    say(label, `HTTP ${res.status} ${String(status['reason'])}: ${message}`);
    return { status: res.status, message, reason: status['reason'] };
  };

  /** Routes the Service to the fake webhook and waits until the apiserver calls it. */
  const routeToFake = async (): Promise<void> => {
    const { kube } = e2e();
    const before = fake.requests.length;
    await routeServiceTo(kube, fake.port);
    await untilRead(kube, `${path()}/a`, () => fake.requests.length > before);
  };

  it('webhook down (nothing listens behind the Service)', async () => {
    await routeServiceTo(e2e().kube, 1);
    const r = await read('down');
    expect(r.reason).to.equal('InternalError');
    expect(r.message).to.equal(`${getHead()}${post}dial tcp 127.0.0.1:1: connect: connection refused`);
  });

  it('no endpoint at all for the Service', async () => {
    await e2e().kube.delete(`/apis/discovery.k8s.io/v1/namespaces/${NAMESPACE}/endpointslices/${SERVICE}-local`);
    const r = await read('no-endpoints');
    expect(r.message).to.equal(`${getHead()}${post}no endpoints available for service "${SERVICE}"`);
  });

  it('webhook too slow: the apiserver gives up after its fixed 30 s', async function () {
    this.timeout(120_000);
    await routeToFake();
    fake.respond = () => ({ hang: true });
    try {
      const started = Date.now();
      const res = await e2e().kube.raw('GET', `${path()}/a`, { timeoutMs: 90_000 });
      const seconds = (Date.now() - started) / 1000;
      const message = normalize(String((JSON.parse(res.text) as Obj)['message']));
      say('slow', `HTTP ${res.status} after ${seconds.toFixed(1)} s: ${message}`);
      expect(res.status).to.equal(500);
      expect(seconds).to.be.within(29, 45);
      // One of three wordings, depending on which of client-go's timers fires first (all three
      // seen with v1.37.2).
      expect(message).to.be.oneOf([
        `${getHead()}${post}context deadline exceeded`,
        `${getHead()}${post}net/http: request canceled (Client.Timeout exceeded while awaiting headers)`,
        `${getHead()}${post}context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      ]);
    } finally {
      fake.respond = (review) => ({ body: correctAnswer(review) });
    }
  });

  it('webhook answering a Failure: its message reaches the user verbatim', async () => {
    await routeToFake();
    fake.respond = bent((a) => {
      a.response.result = {
        status: 'Failure',
        message: 'crdconv: Backend a: cannot convert (a message from the webhook)',
      };
    });
    try {
      const r = await read('failure');
      expect(r.message).to.equal(`${getHead()}crdconv: Backend a: cannot convert (a message from the webhook)`);
    } finally {
      fake.respond = (review) => ({ body: correctAnswer(review) });
    }
  });

  it('a wrong CA in the caBundle', async () => {
    const { kube } = e2e();
    const other = await createDevCertificates(await mkdtemp(join(tmpdir(), 'crdconv-e2e-otherca-')));
    await kube.jsonPatch(crdPath, [
      {
        op: 'replace',
        path: '/spec/conversion/webhook/clientConfig/caBundle',
        value: Buffer.from(other.ca).toString('base64'),
      },
    ]);
    const r = await read('wrong-ca');
    expect(r.message).to.equal(
      `${getHead()}${post}tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    );
  });

  it('an object the webhook cannot convert fails the whole LIST', async function () {
    this.timeout(120_000);
    const { kube } = e2e();
    await routeToFake();
    fake.respond = (review) => {
      const names = requestOf(review).objects.map((o) => String((o['metadata'] as Obj)['name']));
      return names.includes('broken')
        ? {
            body: {
              ...correctAnswer(review),
              response: { uid: requestOf(review).uid, result: { status: 'Failure', message: 'broken is broken' } },
            },
          }
        : { body: correctAnswer(review) };
    };
    const v1 = `/apis/stable.example.com/v1/namespaces/${ns}/backends`;
    try {
      await kube.create(v1, {
        apiVersion: 'stable.example.com/v1',
        kind: 'Backend',
        metadata: { name: 'broken' },
        hostPort: 'x:1',
      });
      // The watch cache of v2 cannot take the new object in; a LIST then reads the storage and
      // fails on it (seen with v1.37.2: HTTP 500 StorageReadError).
      const res = await untilRead(kube, path(), (status) => status !== 200, 60_000);
      const status = JSON.parse(res.text) as Obj;
      say('list', `HTTP ${res.status} ${String(status['reason'])}: ${String(status['message'])}`);
      expect(res.status).to.be.oneOf([429, 500]);
      expect(String(status['message'])).to.include('broken is broken');
      // Reading `a` alone still works.
      const a = await kube.get(`${path()}/a`);
      expect(a['host']).to.equal('a');
    } finally {
      fake.respond = (review) => ({ body: correctAnswer(review) });
      await kube.delete(`${v1}/broken`);
    }
  });

  it('an ExternalName Service is not routable with endpoint routing (what the apiserver says)', async () => {
    const { kube } = e2e();
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'crdconv-external', namespace: NAMESPACE },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port: 443 }] },
    };
    await applyObject(kube, svc);
    await kube.jsonPatch(crdPath, [
      { op: 'replace', path: '/spec/conversion/webhook/clientConfig/service/name', value: 'crdconv-external' },
    ]);
    const r = await read('external-name');
    expect(r.message).to.equal(
      getHead() +
        `Post "https://crdconv-external.${NAMESPACE}.svc:443/convert?timeout=30s": unsupported service type "ExternalName"`,
    );
  });
});

describe('the webhook by clientConfig.url (https://127.0.0.1:PORT/convert)', () => {
  let ns: string;
  const objectPath = () => `/apis/stable.example.com/v2/namespaces/${ns}/backends/a`;
  before(async () => {
    const env = e2e();
    await applyChartCrds(env);
    ns = await freshNamespace(env.kube, 'by-url');
    await env.kube.create(`/apis/stable.example.com/v1/namespaces/${ns}/backends`, {
      apiVersion: 'stable.example.com/v1',
      kind: 'Backend',
      metadata: { name: 'a' },
      hostPort: 'ürl:443',
    });
  });
  after(async () => {
    const env = e2e();
    await applyChartCrds(env);
    await untilRead(env.kube, objectPath(), (status) => status === 200);
  });

  const useUrl = async (port: number, caPem: string) => {
    const { kube } = e2e();
    await kube.jsonPatch(crdPath, [
      {
        op: 'replace',
        path: '/spec/conversion/webhook/clientConfig',
        value: { url: `https://127.0.0.1:${port}/convert`, caBundle: Buffer.from(caPem).toString('base64') },
      },
    ]);
    await waitEstablished(kube, CRD);
  };

  it("the chart's certificate names only the Service, so a URL of 127.0.0.1 fails verification", async () => {
    const env = e2e();
    await useUrl(env.webhook.port, Buffer.from(env.caBundle, 'base64').toString('utf8'));
    const res = await untilRead(env.kube, objectPath(), (status) => status === 500);
    const message = normalize(String((JSON.parse(res.text) as Obj)['message']));
    say('url-wrong-name', message);
    expect(message).to.equal(
      `Internal error occurred: StorageError: corrupt object, Code: 7, Key: /stable.example.com/backends/${ns}/a, ResourceVersion: 0, AdditionalErrorMsg: object not decodable revision=N: ` +
        `conversion webhook for stable.example.com/v1, Kind=Backend failed: Post "https://127.0.0.1:${env.webhook.port}/convert?timeout=30s": ` +
        "tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
    );
  });

  it('crdconv serve with a certificate for 127.0.0.1 converts by URL', async () => {
    const env = e2e();
    const dir = await mkdtemp(join(tmpdir(), 'crdconv-e2e-url-'));
    const certs = await createDevCertificates(dir);
    const webhook = await startWebhook(dir);
    try {
      await useUrl(webhook.port, certs.ca);
      const res = await untilRead(env.kube, objectPath(), (status) => status === 200);
      const read = JSON.parse(res.text) as Obj;
      expect(read['host']).to.equal('ürl');
      expect(read['port']).to.equal('443');
    } finally {
      await stopWebhook(webhook);
    }
  });
});

/**
 * The emulation's answer checks against the apiserver's: for each bent answer, the message a
 * user gets from the real apiserver (one object: GET; several: LIST) and the message
 * acceptAnswer() gives for the very review the apiserver sent.
 */
describe('test/support/apiserver.ts agrees with the real apiserver on every answer check', () => {
  let ns: string;
  let fake: FakeWebhook;
  before(async () => {
    const env = e2e();
    await applyChartCrds(env);
    ns = await freshNamespace(env.kube, 'emulation');
    for (const name of ['a', 'b']) {
      await env.kube.create(`/apis/stable.example.com/v1/namespaces/${ns}/backends`, {
        apiVersion: 'stable.example.com/v1',
        kind: 'Backend',
        metadata: { name, labels: { app: name }, annotations: { keep: 'me' } },
        hostPort: `${name}:1`,
      });
    }
    fake = await startFakeWebhook(env.webhook.certDir, (review) => ({ body: correctAnswer(review) }));
    await routeServiceTo(env.kube, fake.port);
    await untilRead(
      env.kube,
      `/apis/stable.example.com/v2/namespaces/${ns}/backends/a`,
      () => fake.requests.length > 0,
    );
  });
  after(async () => {
    await fake?.close();
    const env = e2e();
    await routeServiceTo(env.kube, env.webhook.port);
    await untilRead(env.kube, `/apis/stable.example.com/v2/namespaces/${ns}/backends`, (status) => status === 200);
  });

  type Case = { name: string; respond: (review: Obj) => Answer };
  const obj = (a: { response: { convertedObjects: Obj[] } }, i: number): Obj & { metadata: Obj } =>
    a.response.convertedObjects[i] as Obj & { metadata: Obj };
  const cases: Case[] = [
    { name: 'HTTP 500', respond: (r) => ({ status: 500, body: correctAnswer(r) }) },
    { name: 'empty 200', respond: () => ({ body: '' }) },
    { name: 'not JSON', respond: () => ({ body: '{"apiVersion":' }) },
    {
      name: 'v1beta1 answer to a v1 request',
      respond: bent((a) => (a['apiVersion'] = 'apiextensions.k8s.io/v1beta1')),
    },
    { name: 'another kind', respond: bent((a) => (a['kind'] = 'AdmissionReview')) },
    { name: 'no response', respond: bent((a) => delete (a as Obj)['response']) },
    { name: 'wrong uid', respond: bent((a) => (a.response['uid'] = 'not-the-uid')) },
    {
      name: 'Failure with a message',
      respond: bent((a) => (a.response['result'] = { status: 'Failure', message: 'nope' })),
    },
    { name: 'Failure without a message', respond: bent((a) => (a.response['result'] = { status: 'Failed' })) },
    { name: 'no objects', respond: bent((a) => (a.response.convertedObjects = [])) },
    {
      name: 'wrong apiVersion',
      respond: bent((a) => a.response.convertedObjects.forEach((o) => (o['apiVersion'] = 'stable.example.com/v1'))),
    },
    { name: 'wrong kind', respond: bent((a) => a.response.convertedObjects.forEach((o) => (o['kind'] = 'Other'))) },
    {
      name: 'renamed',
      respond: bent((a) => a.response.convertedObjects.forEach((o) => ((o['metadata'] as Obj)['name'] = 'renamed'))),
    },
    {
      name: 'other namespace',
      respond: bent((a) =>
        a.response.convertedObjects.forEach((o) => ((o['metadata'] as Obj)['namespace'] = 'elsewhere')),
      ),
    },
    {
      name: 'other uid',
      respond: bent((a) => a.response.convertedObjects.forEach((o) => ((o['metadata'] as Obj)['uid'] = 'x'))),
    },
    {
      name: 'metadata missing',
      respond: bent((a) => a.response.convertedObjects.forEach((o) => delete o['metadata'])),
    },
    { name: 'metadata null', respond: bent((a) => a.response.convertedObjects.forEach((o) => (o['metadata'] = null))) },
    {
      name: 'metadata with identity only',
      respond: bent((a) =>
        a.response.convertedObjects.forEach((o) => {
          const m = o['metadata'] as Obj;
          o['metadata'] = { name: m['name'], namespace: m['namespace'], uid: m['uid'] };
        }),
      ),
    },
    {
      name: 'label value too long',
      respond: bent((a) =>
        a.response.convertedObjects.forEach((o, i) => (obj(a, i).metadata['labels'] = { app: 'x'.repeat(64) })),
      ),
    },
    {
      name: 'invalid annotation key',
      respond: bent((a) =>
        a.response.convertedObjects.forEach((o, i) => (obj(a, i).metadata['annotations'] = { 'not a key': 'v' })),
      ),
    },
    {
      name: 'annotations over 256 KiB',
      respond: bent((a) =>
        a.response.convertedObjects.forEach(
          (o, i) => (obj(a, i).metadata['annotations'] = { big: 'x'.repeat(256 * 1024) }),
        ),
      ),
    },
    {
      name: 'annotation not a string',
      respond: bent((a) =>
        a.response.convertedObjects.forEach((o, i) => (obj(a, i).metadata['annotations'] = { n: 1 })),
      ),
    },
    {
      name: 'resourceVersion changed (restored, accepted)',
      respond: bent((a) =>
        a.response.convertedObjects.forEach((o, i) => (obj(a, i).metadata['resourceVersion'] = '1')),
      ),
    },
  ];

  const emulated = (review: Obj, status: number, text: string, single: boolean): string => {
    const request = requestOf(review);
    const sent: SentReview = {
      uid: request.uid,
      reviewVersion: 'v1',
      desiredAPIVersion: request.desiredAPIVersion,
      objects: request.objects,
      body: review,
      single,
    };
    try {
      acceptAnswer(sent, status, text);
      return 'accepted';
    } catch (e) {
      if (e instanceof ApiserverRejection) return e.message;
      throw e;
    }
  };

  for (const c of cases) {
    it(c.name, async () => {
      const { kube } = e2e();
      const answers = new Map<string, { status: number; text: string }>();
      fake.respond = (review) => {
        const answer = c.respond(review);
        const text =
          answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : stringifyJson(answer.body);
        answers.set(requestOf(review).uid, { status: answer.status ?? 200, text });
        return answer;
      };
      try {
        // One object (GET): the apiserver's single-object checks, message for message.
        fake.requests.length = 0;
        const res = await kube.raw('GET', `/apis/stable.example.com/v2/namespaces/${ns}/backends/a`);
        const real = res.status === 200 ? 'accepted' : inner(String((JSON.parse(res.text) as Obj)['message']));
        const recorded = [...fake.requests]
          .reverse()
          .find((r) => requestOf(r.review).objects.some((o) => (o['metadata'] as Obj)['namespace'] === ns));
        expect(recorded, 'the apiserver called the webhook for the object').to.not.equal(undefined);
        const answer = answers.get(requestOf(recorded!.review).uid)!;
        const emulation = emulated(recorded!.review, answer.status, answer.text, true);
        say(`${c.name} (get)`, `${real}\n    emulation: ${emulation}`);
        expect(emulation).to.equal(real);

        // A LIST is served from the watch cache of v2, which holds objects converted before the
        // answer was bent: it succeeds without calling the webhook (recorded, not compared).
        const list = await kube.raw('GET', `/apis/stable.example.com/v2/namespaces/${ns}/backends`);
        say(`${c.name} (list)`, `HTTP ${list.status}`);
      } finally {
        fake.respond = (review) => ({ body: correctAnswer(review) });
      }
    });
  }
});
