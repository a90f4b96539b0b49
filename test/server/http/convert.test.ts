import { expect } from 'chai';
import { stringifyJson } from '../../../src/json/index.js';
import { acceptAnswer, ApiserverRejection, buildReview } from '../../support/apiserver.js';
import { backendV1, backendV2, cronJobV1, databaseV1, databaseV1alpha1 } from '../../support/objects.js';
import { httpsRequest, startTestService, type TestService } from '../../support/service.js';

describe('POST /convert over HTTPS, checked as the apiserver checks it', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ maxRequestBytes: 256 * 1024 });
  });
  after(() => t.stop());
  const request = (options: Parameters<typeof httpsRequest>[2]) => httpsRequest(t.service.port, t.ca, options);

  const roundTrip = async (
    objects: Record<string, unknown>[],
    desired: string,
    reviewVersion: 'v1' | 'v1beta1' = 'v1',
  ) => {
    const sent = buildReview(objects, desired, reviewVersion);
    const answer = await request({ body: stringifyJson(sent.body) });
    return { sent, answer, converted: () => acceptAnswer(sent, answer.status, answer.text) };
  };

  it('converts the e2e example v1 -> v2 (localhost:8080)', async () => {
    const { converted } = await roundTrip([backendV1('web', 'localhost:8080')], 'stable.example.com/v2');
    expect(converted()[0]).to.deep.include({ apiVersion: 'stable.example.com/v2', host: 'localhost', port: '8080' });
  });

  it('answers a v1beta1 review in v1beta1', async () => {
    const { answer, converted } = await roundTrip([backendV2('web', 'h', '1')], 'stable.example.com/v1', 'v1beta1');
    expect(JSON.parse(answer.text).apiVersion).to.equal('apiextensions.k8s.io/v1beta1');
    expect(converted()[0]!.hostPort).to.equal('h:1');
  });

  it('converts a list of mixed source versions in order, each to exactly desiredAPIVersion', async () => {
    const objects = [
      backendV1('a', 'a:1'),
      backendV2('b', 'b', '2'),
      backendV1('c', 'c'),
      databaseV1('d'),
      databaseV1alpha1('e'),
      cronJobV1('f', '@daily'),
    ];
    const { sent, converted } = await roundTrip(objects.slice(0, 3), 'stable.example.com/v2');
    expect(sent.objects).to.have.length(2); // b is already v2: the apiserver does not send it
    expect(converted().map((o) => (o.metadata as { name: string }).name)).to.deep.equal(['a', 'c']);
    const db = await roundTrip(objects.slice(3, 5), 'platform.example.com/v1beta1');
    expect(db.converted().map((o) => o.apiVersion)).to.deep.equal([
      'platform.example.com/v1beta1',
      'platform.example.com/v1beta1',
    ]);
  });

  it('keeps int64 values to the last digit on the wire', async () => {
    const { answer } = await roundTrip([databaseV1('big')], 'platform.example.com/v1alpha1');
    expect(answer.text)
      .to.contain('"storageBytes":9223372036854775807')
      .and.contain('"observedGeneration":9007199254740993');
  });

  it('answers an object it cannot convert with a Failure naming the object and the field, HTTP 200', async () => {
    const bad = databaseV1alpha1('broken', { storageBytes: 'lots' });
    const { answer, sent } = await roundTrip([backendV1('ok', 'x'), bad], 'platform.example.com/v1');
    expect(answer.status).to.equal(200);
    const body = JSON.parse(answer.text);
    expect(body.response.uid).to.equal(sent.uid);
    expect(body.response.result.status).to.equal('Failure');
    expect(body.response.result.message)
      .to.contain('Database default/broken')
      .and.contain('.spec.storageBytes: expected Int64');
    expect(() => acceptAnswer(sent, answer.status, answer.text)).to.throw(
      ApiserverRejection,
      /Database default\/broken/,
    );
  });

  it('names a kind no converter serves and a version the kind lacks', async () => {
    const unknownKind = await roundTrip(
      [{ apiVersion: 'stable.example.com/v1', kind: 'Frontend', metadata: { name: 'f' } }],
      'stable.example.com/v2',
    );
    expect(JSON.parse(unknownKind.answer.text).response.result.message).to.contain(
      'no converter is registered for kind Frontend',
    );
    const unknownVersion = await roundTrip([backendV1('a', 'b')], 'stable.example.com/v3');
    expect(JSON.parse(unknownVersion.answer.text).response.result.message).to.contain(
      'version v3 is not declared for Backend',
    );
  });

  it('ignores a response stanza in the request', async () => {
    const sent = buildReview([backendV1('a', 'a:1')], 'stable.example.com/v2');
    const body = { ...sent.body, response: {} };
    const answer = await request({ body: JSON.stringify(body) });
    expect(acceptAnswer(sent, answer.status, answer.text)).to.have.length(1);
  });

  it('answers 400 with a reason for a body it cannot read', async () => {
    for (const [body, reason] of [
      ['{"apiVersion":', /malformed JSON/],
      ['[]', /not a JSON object/],
      ['{"apiVersion":"v1","kind":"Pod"}', /not a ConversionReview/],
      [
        '{"apiVersion":"apiextensions.k8s.io/v2","kind":"ConversionReview","request":{}}',
        /unsupported ConversionReview apiVersion/,
      ],
      ['{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview"}', /has no request/],
      ['{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"objects":[]}}', /no uid/],
    ] as const) {
      const answer = await request({ body });
      expect(answer.status, body).to.equal(400);
      expect(JSON.parse(answer.text).error).to.match(reason);
    }
  });

  it('answers a Failure for an identifiable review without objects or desiredAPIVersion', async () => {
    const answer = await request({
      body: '{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"uid":"u1","objects":[]}}',
    });
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.text).response).to.deep.include({
      uid: 'u1',
      result: { status: 'Failure', message: 'the ConversionReview request has no desiredAPIVersion' },
    });
  });

  it('answers an empty objects list with an empty success', async () => {
    const answer = await request({
      body: '{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"uid":"u2","desiredAPIVersion":"stable.example.com/v2","objects":[]}}',
    });
    expect(JSON.parse(answer.text).response).to.deep.equal({
      uid: 'u2',
      result: { status: 'Success' },
      convertedObjects: [],
    });
  });

  it('answers 413 for a body over the limit, 405 for other methods, 404 for other paths', async () => {
    const huge = await request({ body: `{"pad":"${'x'.repeat(300 * 1024)}"}` });
    expect(huge.status).to.equal(413);
    const get = await request({ method: 'GET' });
    expect(get.status).to.equal(405);
    expect(get.headers.allow).to.equal('POST');
    const other = await request({ path: '/mutate' });
    expect(other.status).to.equal(404);
  });

  it('survives deeply nested JSON and keeps answering', async () => {
    const deep = await request({ body: '['.repeat(200_000) });
    expect(deep.status).to.equal(400);
    const nested = `{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"uid":"u3","desiredAPIVersion":"platform.example.com/v1alpha1","objects":[{"apiVersion":"platform.example.com/v1","kind":"Database","metadata":{"name":"n"},"spec":{"parameters":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}]}}`;
    const answer = await request({ body: nested });
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.text).response.result.status).to.equal('Failure');
    // Free-form content (a CronJob's jobTemplate) nested 100,000 deep parses and converts, but no
    // serializer can write it back: that object fails, named, and the service keeps answering.
    const deepTemplate = `{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"uid":"u4","desiredAPIVersion":"batch.tutorial.kubebuilder.io/v2","objects":[{"apiVersion":"batch.tutorial.kubebuilder.io/v1","kind":"CronJob","metadata":{"name":"deep"},"spec":{"schedule":"* * * * *","jobTemplate":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}]}}`;
    const tooDeep = await request({ body: deepTemplate });
    expect(tooDeep.status).to.equal(200);
    expect(JSON.parse(tooDeep.text).response.result.message)
      .to.contain('CronJob deep')
      .and.contain('nested too deeply');
    const { converted } = await roundTrip([backendV1('after', 'a:1')], 'stable.example.com/v2');
    expect(converted()).to.have.length(1);
  });
});
