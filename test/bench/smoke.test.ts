/**
 * `npm run bench -- --smoke` end to end: every server starts in its own process (the service,
 * the Node floor, and, when `go` is on the PATH, the Go floor and controller-runtime built from
 * bench/peers/), tiny reviews and one-second load runs go through, every answer is checked, the
 * table is printed and the results JSON written. Nothing here looks at how fast anything was.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { metricsFor, serversOf, WORKLOADS } from '../../bench/metrics.js';
import { goVersion } from '../../bench/peers.js';
import { readResults } from '../../bench/results.js';
import { SERVERS, type ServerName } from '../../bench/servers.js';

const run = promisify(execFile);
const METRICS = metricsFor(WORKLOADS);
const GO = goVersion();

describe('npm run bench -- --smoke', function () {
  // The first build of the Go peers compiles controller-runtime and client-go: minutes on 2 cores
  // (later runs use the binaries cached in .cache/bench-peers/).
  this.timeout(GO ? 1_500_000 : 180_000);
  const servers: ServerName[] = GO ? [...SERVERS] : ['service', 'service-2', 'floor'];
  if (!GO)
    console.log(
      '      (no `go` on the PATH: the Go floor and controller-runtime are skipped; install Go to smoke-run them)',
    );
  const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  let stdout = '';
  let stderr = '';
  before(async () => {
    // tsx mode: the same CLI (`crdconv serve`) from the sources, so the test needs no build.
    ({ stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/main.ts',
        '--smoke',
        '--mode',
        'tsx',
        '--out-dir',
        out,
        ...(GO ? [] : ['--no-go-peers']),
      ],
      {
        cwd: process.cwd(),
        env: { ...process.env, NODE_OPTIONS: '' },
        maxBuffer: 16 * 1024 * 1024,
      },
    ));
  });

  it('starts every server, each in its own process, and stops them all', () => {
    expect(stderr).to.match(/service listening on \d+ \(pid \d+\): node .*src\/cli\/main\.ts serve/);
    expect(stderr).to.match(/floor listening on \d+ \(pid \d+\): node .*bench\/floor\.ts/);
    // The cores workload's second crdconv: the same CLI on two processes.
    expect(stderr).to.match(/service-2 listening on \d+ \(pid \d+\): node .*src\/cli\/main\.ts serve .*--workers 2/);
    const pids = [...stderr.matchAll(/listening on \d+ \(pid (\d+)\)/g)].map((m) => m[1]);
    expect(new Set(pids).size).to.equal(servers.length);
    // ... and stops them when it is done.
    for (const pid of pids) expect(() => process.kill(Number(pid), 0), `pid ${pid} still runs`).to.throw(/ESRCH/);
  });

  it('builds and runs the Go peers: the Go floor and controller-runtime (kubebuilder CronJob)', function () {
    if (!GO) this.skip();
    expect(stderr).to.match(/go-floor listening on \d+ \(pid \d+\): \S*\.cache\/bench-peers\/go-floor-[0-9a-f]{16} /);
    expect(stderr).to.match(
      /controller-runtime listening on \d+ \(pid \d+\): \S*\.cache\/bench-peers\/controller-runtime-[0-9a-f]{16} /,
    );
    expect(stdout).to.match(
      /Go peers: go version go\S+ .*go-floor (cached|built in [\d.]+ s), controller-runtime (cached|built in [\d.]+ s)/,
    );
  });

  it('prints the table with every server, the ratios and a verdict for every target', () => {
    expect(stdout)
      .to.contain('| workload (median)')
      .and.contain('| crdconv')
      .and.contain('| Node floor')
      .and.contain('/Node')
      .and.contain('| crdconv --workers 2')
      .and.contain('/crdconv');
    if (GO) expect(stdout).to.contain('| Go floor').and.contain('| controller-runtime').and.contain('/c-r');
    for (const label of [
      'Database, 10 objects (ms)',
      'Database, 20 objects (ms)',
      'generated Database, 10 (ms)',
      'generated Database, 20 (ms)',
      'CronJob, 20 objects (ms)',
      'Database 1-object reviews, 32 clients (req/s)',
      'CronJob 1-object reviews, 32 clients (req/s)',
      'Database 1-object reviews, 32 clients, on 2 processes (req/s)',
      'p99 latency (ms)',
      'peak RSS, Database, 20 objects (MiB)',
    ]) {
      expect(stdout).to.contain(label);
    }
    const verdicts = [...stdout.matchAll(/ (PASS|MISS)\b/g)];
    const targets = METRICS.flatMap((m) => m.targets.filter((t) => servers.includes(t.vs)));
    expect(verdicts).to.have.length(targets.length);
    expect(stdout).to.match(/machine: \d+ x .+, Node v\d+/);
  });

  it('writes a results JSON with every metric measured on every server of its workload and the answers checked', () => {
    const files = readdirSync(out).filter((f) => /^bench-.+\.json$/.test(f));
    expect(files).to.have.length(1);
    const results = readResults(join(out, files[0]!));
    expect(results.config).to.include({ smoke: true, mode: 'tsx', repetitions: 1, big: 20 });
    expect(results.metrics.map((m) => m.key)).to.deep.equal(METRICS.map((m) => m.key));
    for (const m of results.metrics) {
      const expected = m.key === 'idle.rss' ? servers : serversOf(m.key.split('.')[0] as never, servers);
      expect(Object.keys(m.values).sort(), m.key).to.deep.equal([...expected].sort());
      for (const s of expected) {
        expect(m.values[s], `${m.key} ${s}`).to.have.length(1);
        const v = m.medians[s]!;
        // CPU time comes in clock ticks of 10 ms: a tiny review may take none.
        expect(m.key.endsWith('.cpu') ? v >= 0 : v > 0, `${m.key} ${s} measured`).to.equal(true);
      }
    }
    expect(results.payloads.int64!.bytes).to.be.greaterThan(results.payloads.big!.bytes); // it does carry int64 values
    expect(results.payloads['gen-big']!.int64Objects).to.be.greaterThan(0);
    for (const server of servers) {
      const checks = results.validation[server]!.join('\n');
      for (const w of WORKLOADS.filter((w) => serversOf(w, servers).includes(server)))
        expect(checks, `${server} ${w}`).to.match(new RegExp(`^${w}: `, 'm'));
    }
    expect(results.validation.service!.join('\n')).to.contain('20 objects equal to the expected conversion');
    if (GO) {
      expect(results.validation['controller-runtime']!.join('\n')).to.contain('each schedule converted as expected');
      expect(results.peers?.goVersion).to.match(/^go version/);
    }
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
      .to.contain('crdconv before')
      .and.contain('/Node now')
      .and.match(/\+0\.0%/);
    expect(readdirSync(out).filter((f) => f.endsWith('.json'))).to.have.length(1);
  });
});
