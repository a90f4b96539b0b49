import { expect } from 'chai';
import { metricsFor, summarise, WORKLOADS, type Sizes } from '../../bench/metrics.js';
import { databaseCases, reviewPayload } from '../../bench/payloads.js';
import { summariseProfile } from '../../bench/profile.js';
import { comparisonCaveats, comparisonTable, resultsTable } from '../../bench/report.js';
import { readResults, resultsFileName, writeResults, type BenchResults } from '../../bench/results.js';
import { median, percentileOfSorted } from '../../bench/stats.js';
import { listeningPort } from '../../bench/servers.js';
import { checkFloorAnswer, checkServiceAnswer, firstDifference, WrongAnswer } from '../../bench/validate.js';
import { stringifyJson } from '../../src/json/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sizes: Sizes = { small: 2000, big: 20_000, int64Share: 0.01, concurrency: 32 };
const METRICS = metricsFor(WORKLOADS);
const def = (key: string) => METRICS.find((m) => m.key === key)!;
/** Service and Node floor values only. */
const vsFloor = (service: number[], floor: number[]) => ({ service, floor });

describe('bench statistics, targets and reports', () => {
  it('takes medians and nearest-rank percentiles', () => {
    expect(median([5, 1, 3])).to.equal(3);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([])).to.be.NaN;
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(sorted, 50)).to.equal(50);
    expect(percentileOfSorted(sorted, 99)).to.equal(99);
    expect(percentileOfSorted(Float64Array.of(7), 99)).to.equal(7);
  });

  it("checks each ratio against issue 17's targets, in the right direction, against the right peer", () => {
    const big = summarise(def('big.ms'), sizes, vsFloor([130, 120, 140], [100, 100, 100]));
    expect(big.ratios.floor).to.equal(1.3);
    expect(big.targets).to.deep.equal([{ vs: 'floor', op: '<=', ratio: 1.3, verdict: 'PASS' }]);
    expect(big.ratioRanges.floor).to.deep.equal([1.2, 1.4]);
    expect(resultsTable([big])).to.match(/1\.30x\s*\|\s*1\.20-1\.40\s*\|\s*<= 1\.3x Node PASS/);
    const verdict = (key: string, values: Record<string, number[]>) =>
      summarise(def(key), sizes, values).targets.map((t) => `${t.vs} ${t.verdict}`);
    expect(verdict('big.ms', vsFloor([131], [100]))).to.deep.equal(['floor MISS']);
    expect(verdict('gen-big.ms', vsFloor([129], [100]))).to.deep.equal(['floor PASS']);
    expect(verdict('single.rps', vsFloor([900], [1000]))).to.deep.equal(['floor PASS']);
    expect(verdict('single.rps', vsFloor([899], [1000]))).to.deep.equal(['floor MISS']);
    expect(verdict('single.p99', vsFloor([14], [10]))).to.deep.equal(['floor MISS']);
    expect(verdict('big.rss', vsFloor([150], [100]))).to.deep.equal(['floor PASS']);
    expect(verdict('big.rss', vsFloor([151], [100]))).to.deep.equal(['floor MISS']);
    // The CronJob kind: faster than controller-runtime, strictly.
    expect(verdict('cron-big.ms', { service: [100], floor: [100], 'controller-runtime': [100] })).to.deep.equal([
      'floor PASS',
      'controller-runtime MISS',
    ]);
    expect(verdict('cron-single.rps', { service: [1001], floor: [1000], 'controller-runtime': [1000] })).to.deep.equal([
      'floor PASS',
      'controller-runtime PASS',
    ]);
    // A peer that did not run has no verdict; a peer without a target still gets its ratio.
    const noCr = summarise(def('cron.ms'), sizes, { service: [100], floor: [100], 'go-floor': [50] });
    expect(noCr.targets.map((t) => t.vs)).to.deep.equal(['floor']);
    expect(noCr.ratios['go-floor']).to.equal(2);
    expect(summarise(def('small.cpu'), sizes, vsFloor([300], [100])).targets).to.deep.equal([]);
    expect(summarise(def('big.ms'), sizes, vsFloor([NaN], [100])).targets[0]).to.not.have.property('verdict');
  });

  it('states the two-CPU targets of the cores workload on the two-process service, against one process and the floor', () => {
    const values = { 'service-2': [1800, 1700, 1900], service: [1000, 1000, 1000], floor: [2000, 2000, 2000] };
    const rps = summarise(def('cores.rps'), sizes, values);
    expect(rps.subject).to.equal('service-2');
    expect(rps.ratios).to.deep.equal({ service: 1.8, floor: 0.9 });
    expect(rps.ratioRanges.service).to.deep.equal([1.7, 1.9]);
    expect(rps.targets.map((t) => `${t.vs} ${t.op} ${t.ratio} ${t.verdict}`)).to.deep.equal([
      'floor >= 0.9 PASS',
      'service >= 1.8 PASS',
    ]);
    const short = summarise(def('cores.rps'), sizes, {
      ...values,
      'service-2': [1790],
      service: [1000],
      floor: [2000],
    });
    expect(short.targets.map((t) => t.verdict)).to.deep.equal(['MISS', 'MISS']);
    const p99 = summarise(def('cores.p99'), sizes, { 'service-2': [13], service: [20], floor: [10] });
    expect(p99.targets.map((t) => `${t.vs} ${t.verdict}`)).to.deep.equal(['floor PASS']);
    // The table: the subject's ratio to the one-process service has a column of its own, and the
    // one-process rows have none to the two-process service.
    const table = resultsTable([summarise(def('single.rps'), sizes, vsFloor([1000], [2000])), rps]);
    expect(table).to.match(/\| crdconv\s*\| crdconv --workers 2\s*\| Node floor\s*\| \/crdconv\s*\| \/Node/);
    expect(table).to.match(
      /on 2 processes \(req\/s\)\s*\|\s*1,000\s*\|\s*1,800\s*\|\s*2,000\s*\|\s*1\.80x\s*\|\s*0\.90x/,
    );
    expect(table).to.contain('>= 1.8x crdconv PASS');
  });

  it('prints every server and the ratio to each in the table', () => {
    const m = summarise(def('cron-big.ms'), sizes, {
      service: [100],
      floor: [80],
      'go-floor': [50],
      'controller-runtime': [200],
    });
    const text = resultsTable([m]);
    expect(text.split('\n')[0]).to.match(
      /crdconv\s*\|\s*Node floor\s*\|\s*Go floor\s*\|\s*controller-runtime\s*\|\s*\/Node\s*\|\s*\/Go\s*\|\s*\/c-r/,
    );
    expect(text).to.match(
      /CronJob, 20,000 objects \(ms\)\s*\|\s*100\s*\|\s*80\.0\s*\|\s*50\.0\s*\|\s*200\s*\|\s*1\.25x\s*\|\s*2\.00x\s*\|\s*0\.50x/,
    );
    expect(text).to.contain('<= 1.3x Node PASS; < 1x c-r PASS');
  });

  const results = (ratio: number, at = '2026-01-02T03:04:05.678Z'): BenchResults => ({
    schema: 'crdconv-bench/2',
    startedAt: at,
    finishedAt: at,
    machine: {
      cpus: 2,
      cpuModel: 'Test CPU',
      node: 'v20',
      platform: 'linux x64',
      memoryMiB: 1024,
      loadAverage: { start: 0.1, end: NaN },
      otherCpuShare: 0.05,
    },
    config: {
      mode: 'compiled',
      repetitions: 1,
      small: 2000,
      big: 20_000,
      int64Share: 0.01,
      concurrency: 32,
      durationSeconds: 10,
      warmupSeconds: 1,
      workloads: ['big'],
      smoke: false,
      cpuProfile: false,
    },
    servers: {},
    payloads: {},
    metrics: [summarise(def('big.ms'), sizes, vsFloor([100 * ratio], [100]))],
    validation: {},
    notes: [],
  });

  it('prints the servers, the ratio and the verdict; writes, reads back and compares results', () => {
    const text = resultsTable(results(2).metrics);
    expect(text).to.match(
      /Database, 20,000 objects \(ms\)\s*\|\s*200\s*\|\s*100\s*\|\s*2\.00x\s*\|\s*\|\s*<= 1\.3x Node MISS/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      const file = writeResults(dir, results(2));
      expect(file).to.equal(join(dir, 'bench-2026-01-02T03-04-05Z.json'));
      const back = readResults(file);
      expect(back.machine.loadAverage.end).to.be.NaN; // written as null, read back as "not measured"
      expect(back.metrics[0]!.ratios.floor).to.equal(2);
      const comparison = comparisonTable(back, results(1.2));
      expect(comparison).to.match(/200\s*\|\s*120\s*\|\s*-40\.0%\s*\|\s*2\.00x\s*\|\s*1\.20x\s*\|\s*MISS -> PASS/);
      expect(comparisonCaveats(back, { ...results(1), machine: { ...back.machine, cpus: 4 } })[0]).to.contain(
        'different machines',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(resultsFileName(new Date('2026-01-02T03:04:05.000Z'))).to.equal('bench-2026-01-02T03-04-05Z.json');
  });
});

describe('bench answer checks', () => {
  const payload = reviewPayload('check', 0, databaseCases(4, 120, 0.02));
  const answer = (objects: unknown[], extra: Record<string, unknown> = {}) =>
    Buffer.from(
      stringifyJson({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        response: { uid: payload.uid, result: { status: 'Success' }, convertedObjects: objects, ...extra },
      }),
    );
  const expected = payload.cases.map((c) => c.expected);

  it("accepts the service's exact conversion and the floor's echo", () => {
    expect(() => checkServiceAnswer(payload, 200, answer(expected))).to.not.throw();
    expect(() =>
      checkFloorAnswer(
        payload,
        200,
        answer(payload.cases.map((c) => ({ ...c.sent, apiVersion: payload.desiredAPIVersion }))),
      ),
    ).to.not.throw();
  });

  it('refuses a lost digit, a wrong field, a missing object, a wrong uid or a failure', () => {
    const rounded = JSON.parse(answer(expected).toString()).response.convertedObjects; // JSON.parse rounds the int64 values
    expect(() => checkServiceAnswer(payload, 200, answer(rounded))).to.throw(
      WrongAnswer,
      /object 59 .* differs at \.spec\.capacityBytes/,
    );
    const wrong = expected.map((o, i) => (i === 5 ? { ...o, spec: { ...(o.spec as object), engine: 'oracle' } } : o));
    expect(() => checkServiceAnswer(payload, 200, answer(wrong))).to.throw(
      WrongAnswer,
      /object 5 .* differs at \.spec\.engine/,
    );
    expect(() => checkServiceAnswer(payload, 200, answer(expected.slice(1)))).to.throw(
      WrongAnswer,
      /119 objects came back for 120/,
    );
    expect(() => checkServiceAnswer(payload, 500, answer(expected))).to.throw(WrongAnswer, /HTTP 500/);
    const failed = Buffer.from(
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        response: { uid: payload.uid, result: { status: 'Failure', message: 'nope' } },
      }),
    );
    expect(() => checkServiceAnswer(payload, 200, failed)).to.throw(WrongAnswer, /did not succeed: nope/);
    const otherUid = Buffer.from(answer(expected).toString().replace(payload.uid, 'another'));
    expect(() => checkFloorAnswer(payload, 200, otherUid)).to.throw(WrongAnswer, /uid another/);
    expect(() => checkFloorAnswer(payload, 200, answer(payload.cases.map((c) => c.sent)))).to.throw(
      WrongAnswer,
      /object 0 is not at platform.example.com\/v1/,
    );
  });

  it('names the first differing path', () => {
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).to.equal('.a[1].b');
    expect(firstDifference({ a: 1 }, { a: 1 })).to.equal(undefined);
  });
});

describe('bench CPU profile summary', () => {
  it('charges self time to functions and total time to project functions, recursion once', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 5, 6] },
        { id: 2, callFrame: frame('convert', 'file:///repo/dist/src/convert/convertObject.js'), children: [3] },
        { id: 3, callFrame: frame('convert', 'file:///repo/dist/src/convert/convertObject.js'), children: [4] },
        { id: 4, callFrame: frame('decode', 'file:///repo/node_modules/io-ts/es6/index.js') },
        { id: 5, callFrame: frame('(garbage collector)', '') },
        { id: 6, callFrame: frame('(idle)', '') },
      ],
      samples: [2, 3, 4, 4, 5, 6, 6],
      timeDeltas: [1000, 1000, 1000, 1000, 1000, 5000, 5000],
    };
    const s = summariseProfile(profile, '/repo');
    expect(s.busyMs).to.equal(5);
    expect(s.byCategory).to.include({ project: 2, dependencies: 2, gc: 1, idle: 10 });
    expect(s.self[0]).to.deep.include({ name: 'convert', ms: 2, location: 'dist/src/convert/convertObject.js:10' });
    expect(s.total).to.have.length(1);
    expect(s.total[0]).to.deep.include({ name: 'convert', ms: 4 });
  });
});

describe('bench server start-up', () => {
  it('reads the port from the listening log line, however the logger shapes it', () => {
    expect(listeningPort({ msg: 'floor listening', port: 1 })).to.equal(1);
    expect(listeningPort({ level: 'info', message: 'conversion webhook listening', port: 2, probesPort: 9 })).to.equal(
      2,
    );
    expect(listeningPort({ level: 'info', message: { msg: 'conversion webhook listening', port: 3 } })).to.equal(3);
    expect(listeningPort({ message: 'watching the serving certificate', port: 4 })).to.equal(undefined);
    expect(listeningPort('listening')).to.equal(undefined);
  });
});
