import { expect } from 'chai';
import { stringifyJson } from '../../../src/json/index.js';
import { buildReview } from '../../support/apiserver.js';
import { backendV1 } from '../../support/objects.js';
import { httpsRequest, startTestService, type TestService } from '../../support/service.js';

describe('service: logs', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ probes: undefined, metrics: undefined });
  });
  after(() => t.stop());

  it('writes one line per review with uid, kinds, versions, count, duration and result, and never object content', async () => {
    const secret = 'sup3r-s3cret-h0st';
    const ok = buildReview(
      [backendV1('web', `${secret}:8080`), backendV1('api', `${secret}:9090`)],
      'stable.example.com/v2',
    );
    const bad = buildReview(
      [{ ...backendV1('broken', `${secret}:1`), hostPort: { password: secret } }],
      'stable.example.com/v2',
    );
    for (const r of [ok, bad])
      expect((await httpsRequest(t.service.port, t.ca, { body: stringifyJson(r.body) })).status).to.equal(200);

    await t.logs.flushed();
    const reviews = t.logs.entries.filter((e) => e.msg === 'review');
    expect(reviews).to.have.length(2);
    const [first, second] = reviews as unknown as [Record<string, unknown>, Record<string, unknown>];
    expect(first).to.include({
      level: 'info',
      uid: ok.uid,
      result: 'Success',
      status: 200,
      objects: 2,
      to: 'stable.example.com/v2',
    });
    expect(first.kinds).to.deep.equal(['Backend']);
    expect(first.from).to.deep.equal(['v1']);
    expect(first.durationMs).to.be.a('number');
    expect(second).to.include({ level: 'warn', uid: bad.uid, result: 'Failure', objects: 1 });
    // The failure names the object and the field, not the value.
    expect(second.failure)
      .to.match(/Backend default\/broken/)
      .and.to.match(/hostPort/);
    expect(t.logs.lines.join('\n')).not.to.contain(secret);
  });
});
