import { expect } from 'chai';
import { stringifyJson } from '../../../src/json/index.js';
import { STASH_ANNOTATION } from '../../../src/convert/stash.js';
import { buildReview } from '../../support/apiserver.js';
import { backendV1 } from '../../support/objects.js';
import { parseMetrics, valueOf } from '../metrics/promText.js';
import { httpGet, httpsRequest, startTestService, type TestService } from '../../support/service.js';

describe('service: a malformed stash', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.stop());

  it('is ignored, logged and counted, never a failure', async () => {
    const object = backendV1('hand-edited', 'h:1');
    (object.metadata as Record<string, unknown>).annotations = {
      [STASH_ANNOTATION]: '{"v":1,"origin":"v2","entries":[{"p":',
    };
    const sent = buildReview([object], 'stable.example.com/v2');
    const answer = await httpsRequest(t.service.port, t.ca, { body: stringifyJson(sent.body) });
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.text).response.result.status).to.equal('Success');

    await t.logs.flushed();
    const logged = t.logs.entries.find((e) => e.msg === 'malformed stash ignored');
    expect(logged, 'the log line').to.include({
      level: 'warn',
      object: 'Backend default/hand-edited',
      kind: 'Backend',
    });
    expect(String(logged!.reason)).to.match(/not JSON/);

    const metrics = parseMetrics((await httpGet(t.service.metricsPort!, '/metrics')).text);
    expect(valueOf(metrics, 'crdconv_stash_outcomes_total', { kind: 'Backend', outcome: 'rejected' })).to.equal(1);
  });

  it('leaves a stash of an unknown version, or of the object own version, where it is: logged and counted', async () => {
    const before = parseMetrics((await httpGet(t.service.metricsPort!, '/metrics')).text);
    const rejectedBefore =
      valueOf(before, 'crdconv_stash_outcomes_total', { kind: 'Backend', outcome: 'rejected' }) ?? 0;
    for (const [origin, reason] of [
      ['v9', /v9.*does not declare/],
      ['v1', /own version v1/],
    ] as const) {
      const object = backendV1(`origin-${origin}`, 'h:1');
      const stash = JSON.stringify({ v: 1, origin, entries: [] });
      (object.metadata as Record<string, unknown>).annotations = { [STASH_ANNOTATION]: stash, keep: 'me' };
      const sent = buildReview([object], 'stable.example.com/v2');
      const answer = await httpsRequest(t.service.port, t.ca, { body: stringifyJson(sent.body) });
      expect(answer.status).to.equal(200);
      const review = JSON.parse(answer.text) as {
        response: { result: { status: string }; convertedObjects: Array<{ metadata: { annotations?: object } }> };
      };
      expect(review.response.result.status).to.equal('Success');
      expect(review.response.convertedObjects[0]!.metadata.annotations, origin).to.deep.equal({
        [STASH_ANNOTATION]: stash,
        keep: 'me',
      });
      await t.logs.flushed();
      const logged = t.logs.entries.find(
        (e) => e.msg === 'malformed stash ignored' && e.object === `Backend default/origin-${origin}`,
      );
      expect(logged, `the log line for origin ${origin}`).to.include({ level: 'warn', kind: 'Backend' });
      expect(String(logged!.reason)).to.match(reason);
    }
    const after = parseMetrics((await httpGet(t.service.metricsPort!, '/metrics')).text);
    expect(valueOf(after, 'crdconv_stash_outcomes_total', { kind: 'Backend', outcome: 'rejected' })).to.equal(
      rejectedBefore + 2,
    );
  });
});
