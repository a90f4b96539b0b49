import { expect } from 'chai';
import { stringifyJson } from '../../src/json/index.js';
import { STASH_ANNOTATION } from '../../src/convert/stash.js';
import { buildReview } from '../support/apiserver.js';
import { backendV1 } from '../support/objects.js';
import { parseMetrics, valueOf } from '../metrics/promText.js';
import { httpGet, httpsRequest, startTestService, type TestService } from '../support/service.js';

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
});
