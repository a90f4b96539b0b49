import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry } from '../../converters/index.js';
import { convertObject } from '../../src/convert/convertObject.js';
import { jsonEqual, stringifyJson } from '../../src/json/index.js';
import { ChunkedBody } from '../../bench/client.js';
import { CRON_DESIRED_API_VERSION, CRON_SOURCE_API_VERSION, cronJobCases, v2Schedule } from '../../bench/cronjobs.js';
import { generatedCases, holdsBigint, longIntegers } from '../../bench/generated.js';
import { reviewPayload } from '../../bench/payloads.js';
import { sourceHash } from '../../bench/peers.js';
import {
  checkControllerRuntimeAnswer,
  checkGoFloorAnswer,
  checkServiceAnswer,
  WrongAnswer,
} from '../../bench/validate.js';

const answer = (uid: string, objects: unknown[]) =>
  Buffer.from(
    stringifyJson({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: { uid, result: { status: 'Success' }, convertedObjects: objects },
    }),
  );

describe('bench CronJob payloads (the kind controller-runtime serves too)', () => {
  const cases = cronJobCases(3, 40, 0.05);

  it('are v1 objects with a five-field schedule, a Job template and status', () => {
    for (const { sent } of cases) {
      expect(sent.apiVersion).to.equal(CRON_SOURCE_API_VERSION);
      const spec = sent.spec as { schedule: string; jobTemplate: { spec: { template: object } } };
      expect(spec.schedule.split(' ')).to.have.length(5);
      expect(spec.jobTemplate.spec.template).to.include.keys('metadata', 'spec');
    }
    expect(cases.filter((c) => c.int64)).to.have.length(2);
  });

  it('expect what the shipped CronJob converters really answer (the hand-derived v2 matches convertObject)', () => {
    for (const c of cases) {
      const result = convertObject(registry, c.sent, CRON_DESIRED_API_VERSION);
      expect(result.ok, JSON.stringify(!result.ok && result.failure)).to.equal(true);
      if (result.ok) expect(jsonEqual(result.object, c.expected)).to.equal(true);
    }
    expect(v2Schedule('*/5 * 1 * 1-5')).to.deep.equal({ minute: '*/5', dayOfMonth: '1', dayOfWeek: '1-5' });
  });

  it("check controller-runtime's answer for shape and the converted schedule", () => {
    const payload = reviewPayload('cr', 0, cases, 'cronjob', CRON_DESIRED_API_VERSION);
    // controller-runtime writes empty structs out: extra fields are fine, the schedule must be right.
    const typed: Array<Record<string, unknown>> = cases.map((c) => ({
      ...c.expected,
      status: { ...(c.expected.status as object) },
      extra: {},
    }));
    expect(() => checkControllerRuntimeAnswer(payload, 200, answer(payload.uid, typed))).to.not.throw();
    const wrong = typed.map((o, i) => (i === 7 ? { ...o, spec: { ...(o.spec as object), schedule: {} } } : o));
    expect(() => checkControllerRuntimeAnswer(payload, 200, answer(payload.uid, wrong))).to.throw(
      WrongAnswer,
      /object 7 .*schedule/,
    );
    const v1 = cases.map((c) => c.sent);
    expect(() => checkControllerRuntimeAnswer(payload, 200, answer(payload.uid, v1))).to.throw(
      WrongAnswer,
      /not at batch.tutorial.kubebuilder.io\/v2/,
    );
  });
});

describe('bench generated payloads (the codec arbitraries)', () => {
  const cases = generatedCases(11, 60);

  it('are deterministic, and many objects hold an integer beyond 2^53', () => {
    expect(
      jsonEqual(
        generatedCases(11, 60).map((c) => c.sent),
        cases.map((c) => c.sent),
      ),
    ).to.equal(true);
    const share = cases.filter((c) => c.int64).length / cases.length;
    expect(share).to.be.within(0.3, 0.95);
    expect(cases.every((c) => c.int64 === holdsBigint(c.sent))).to.equal(true);
  });

  it('expect the in-process conversion, and refuse an answer that lost a digit', () => {
    const payload = reviewPayload('gen', 0, cases, 'generated');
    const expected = cases.map((c) => c.expected);
    expect(() => checkServiceAnswer(payload, 200, answer(payload.uid, expected))).to.not.throw();
    const rounded = JSON.parse(answer(payload.uid, expected).toString()).response.convertedObjects;
    expect(() => checkServiceAnswer(payload, 200, answer(payload.uid, rounded))).to.throw(WrongAnswer);
    const echoed = cases.map((c) => ({ ...c.sent, apiVersion: payload.desiredAPIVersion }));
    expect(() => checkGoFloorAnswer(payload, 200, answer(payload.uid, echoed))).to.not.throw();
    const roundedEcho = JSON.parse(answer(payload.uid, echoed).toString()).response.convertedObjects;
    expect(() => checkGoFloorAnswer(payload, 200, answer(payload.uid, roundedEcho))).to.throw(
      WrongAnswer,
      /not in the answer with all its digits/,
    );
  });

  it('find long integer literals outside strings only', () => {
    expect(
      longIntegers('{"a":"12345678901234567","b":12345678901234567,"c":-9223372036854775808,"d":1.5}'),
    ).to.deep.equal(['12345678901234567', '-9223372036854775808']);
    expect(longIntegers('{"a\\"1234567890123456789":1}')).to.deep.equal([]);
  });
});

describe('bench client: chunked answers (Go net/http streams big ones)', () => {
  const encode = (parts: string[]) =>
    Buffer.from(parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n');

  it('decodes a body cut anywhere, even between CR and LF, and says when it is complete', () => {
    const wire = encode(['{"a":', '"héllo"', ',"b":[1,2,3]}']);
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new ChunkedBody();
      expect(d.push(wire.subarray(0, cut))).to.equal(0);
      expect(d.done, `cut ${cut}`).to.equal(false);
      expect(d.push(wire.subarray(cut))).to.equal(0);
      expect(d.done, `cut ${cut}`).to.equal(true);
      expect(d.body().toString()).to.equal('{"a":"héllo","b":[1,2,3]}');
    }
  });

  it('counts bytes past the end and refuses a malformed size line', () => {
    const d = new ChunkedBody();
    expect(d.push(Buffer.concat([encode(['x']), Buffer.from('HTTP')]))).to.equal(4);
    expect(() => new ChunkedBody().push(Buffer.from('zz\r\n'))).to.throw(/malformed chunk size/);
  });
});

describe('bench Go peers: rebuilt only when their sources change', () => {
  it('hashes the Go version and every file of the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-peer-'));
    try {
      mkdirSync(join(dir, 'api'));
      writeFileSync(join(dir, 'main.go'), 'package main');
      writeFileSync(join(dir, 'api', 'a.go'), 'package api');
      const h = sourceHash(dir, 'go1.26');
      expect(sourceHash(dir, 'go1.26')).to.equal(h);
      expect(sourceHash(dir, 'go1.27')).to.not.equal(h);
      writeFileSync(join(dir, 'api', 'a.go'), 'package api // changed');
      expect(sourceHash(dir, 'go1.26')).to.not.equal(h);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
