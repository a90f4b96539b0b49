/**
 * `npm run bench -- --smoke` end to end: both servers start in their own processes, tiny reviews
 * and a one-second load run go through, every answer is checked, the table is printed and the
 * results JSON written. Nothing here looks at how fast anything was.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { METRICS } from '../../bench/metrics.js';
import { readResults } from '../../bench/results.js';

const run = promisify(execFile);

describe('npm run bench -- --smoke', function () {
  this.timeout(180_000);
  const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  let stdout = '';
  let stderr = '';
  before(async () => {
    // tsx mode: the same CLI (`crdconv serve`) from the sources, so the test needs no build.
    ({ stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/main.ts', '--smoke', '--mode', 'tsx', '--out-dir', out],
      {
        cwd: process.cwd(),
        env: { ...process.env, NODE_OPTIONS: '' },
        maxBuffer: 16 * 1024 * 1024,
      },
    ));
  });

  it('starts the service (crdconv serve) and the floor, each in its own process', () => {
    expect(stderr).to.match(/service listening on \d+ \(pid \d+\): node .*src\/cli\/main\.ts serve/);
    expect(stderr).to.match(/floor listening on \d+ \(pid \d+\): node .*bench\/floor\.ts/);
    const pids = [...stderr.matchAll(/listening on \d+ \(pid (\d+)\)/g)].map((m) => m[1]);
    expect(new Set(pids).size).to.equal(2);
    // ... and stops both when it is done.
    for (const pid of pids) expect(() => process.kill(Number(pid), 0), `pid ${pid} still runs`).to.throw(/ESRCH/);
  });

  it('prints the table with both servers, the ratios and a verdict for every target', () => {
    expect(stdout)
      .to.contain('| workload (median)')
      .and.contain('| service')
      .and.contain('| floor')
      .and.contain('service/floor');
    for (const label of [
      'review of 10 objects (ms)',
      'review of 20 objects (ms)',
      '1-object reviews, 32 clients (req/s)',
      'p99 latency (ms)',
      'peak RSS, review of 20 (MiB)',
    ]) {
      expect(stdout).to.contain(label);
    }
    const verdicts = stdout.split('\n').filter((l) => /\| (PASS|MISS) +\|$/.test(l));
    expect(verdicts).to.have.length(METRICS.filter((m) => m.target).length);
    expect(stdout).to.match(/machine: \d+ x .+, Node v\d+/);
  });

  it('writes a results JSON with every metric measured on both servers and the answers checked', () => {
    const files = readdirSync(out).filter((f) => /^bench-.+\.json$/.test(f));
    expect(files).to.have.length(1);
    const results = readResults(join(out, files[0]!));
    expect(results.config).to.include({ smoke: true, mode: 'tsx', repetitions: 1, big: 20 });
    expect(results.metrics.map((m) => m.key)).to.deep.equal(METRICS.map((m) => m.key));
    for (const m of results.metrics) {
      expect(m.service, m.key).to.have.length(1);
      expect(m.floor, m.key).to.have.length(1);
      if (m.key.endsWith('.cpu')) {
        // CPU time comes in clock ticks of 10 ms: a tiny review may take none.
        expect(m.serviceMedian >= 0 && m.floorMedian >= 0, `${m.key} measured`).to.equal(true);
        continue;
      }
      expect(m.serviceMedian > 0 && m.floorMedian > 0, `${m.key} measured`).to.equal(true);
      expect(Number.isFinite(m.ratio), m.key).to.equal(true);
    }
    expect(results.payloads.int64!.bytes).to.be.greaterThan(results.payloads.big!.bytes); // it does carry int64 values
    for (const server of ['service', 'floor']) {
      const checks = results.validation[server]!.join('\n');
      for (const w of ['small', 'big', 'int64', 'single'])
        expect(checks, `${server} ${w}`).to.match(new RegExp(`^${w}: `, 'm'));
    }
    expect(results.validation.service!.join('\n')).to.contain('20 objects equal to the expected conversion');
  });

  it('compares two results files without running anything (--compare A --with B)', async () => {
    const file = join(
      out,
      readdirSync(out).find((f) => f.endsWith('.json'))!,
    );
    const { stdout: compared } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/main.ts', '--compare', file, '--with', file],
      { env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(compared)
      .to.contain('service before')
      .and.contain('ratio now')
      .and.match(/\+0\.0%/);
    expect(readdirSync(out).filter((f) => f.endsWith('.json'))).to.have.length(1);
  });
});
