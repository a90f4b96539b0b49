import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { Command } from 'commander';
import { registerCheck } from '../../src/cli/check.js';
import { registerMigrate } from '../../src/cli/migrate.js';
import { FakeKubeApi, beforeNthWrite, twoVersionCrd } from '../support/fakeKubeApi.js';

const CRD = 'crontabs.stable.example.com';

/** A stream that keeps what is written to it. */
const capture = () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { stream, text: () => text };
};

describe('migrate: the migrate and check commands', () => {
  let fake: FakeKubeApi;
  let dir: string;
  let kubeconfig: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crdconv-cli-'));
    fake = await FakeKubeApi.start(twoVersionCrd());
    for (let i = 0; i < 5; i++)
      fake.addObject({
        namespace: 'ns',
        name: `o${i}`,
        storedVersion: 'v1',
        fields: { hostPort: `secret-host-${i}:1` },
      });
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, fake.kubeConfigYaml('test-context'));
  });
  afterEach(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const migrateProgram = () => {
    const stdout = capture();
    const stderr = capture();
    let exitCode: number | undefined;
    let interrupt: (() => void) | undefined;
    const program = new Command('crdconv').exitOverride();
    registerMigrate(program, {
      stdout: stdout.stream,
      stderr: stderr.stream,
      setExitCode: (c) => (exitCode = c),
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => (interrupt = undefined);
      },
    });
    return { program, stdout, stderr, exitCode: () => exitCode, interrupt: () => interrupt?.() };
  };

  const migrateArgs = (...extra: string[]) => [
    'node',
    'crdconv',
    'migrate',
    '--crd',
    CRD,
    '--kubeconfig',
    kubeconfig,
    '--qps',
    '1000',
    '--page-size',
    '2',
    '--state-file',
    join(dir, 'state.json'),
    ...extra,
  ];

  it('migrates with flags, prints a JSON summary and JSON progress lines without object contents', async () => {
    const run = migrateProgram();
    await run.program.parseAsync(migrateArgs('--progress', 'json', '--output', 'json', '--context', 'test-context'));

    expect(run.exitCode()).to.equal(0);
    const summary = JSON.parse(run.stdout.text()) as {
      counts: { rewritten: number };
      storedVersionsAfter: string[];
      exitCode: number;
    };
    expect(summary.counts.rewritten).to.equal(5);
    expect(summary.storedVersionsAfter).to.deep.equal(['v2']);
    expect(summary.exitCode).to.equal(0);
    const lines = run.stderr
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; crd: string });
    expect(lines[0]).to.include({ event: 'start', crd: CRD });
    expect(lines.filter((l) => l.event === 'progress').length).to.be.greaterThan(2);
    expect(run.stderr.text()).not.to.contain('secret-host');
    expect(fake.storedVersions).to.deep.equal(['v2']);
  });

  it('prints a plain summary and exits 1 when an object fails', async () => {
    fake.hooks.push((r) =>
      r.verb === 'patch' && r.name === 'o3'
        ? {
            status: 403,
            body: {
              kind: 'Status',
              code: 403,
              reason: 'Forbidden',
              message: 'crontabs "o3" is forbidden: denied by policy',
            },
          }
        : undefined,
    );
    const run = migrateProgram();
    await run.program.parseAsync(migrateArgs('--progress', 'none'));

    expect(run.exitCode()).to.equal(1);
    expect(run.stdout.text()).to.contain('failed:    1').and.contain('not trimmed');
    expect(run.stderr.text()).to.equal('');
    expect(fake.storedVersions).to.deep.equal(['v1', 'v2']);
  });

  it('stops on Ctrl-C with exit status 130 and resumes on the next run', async () => {
    const run = migrateProgram();
    fake.hooks.push(beforeNthWrite(2, () => run.interrupt()));
    await run.program.parseAsync(migrateArgs('--progress', 'none'));
    expect(run.exitCode()).to.equal(130);
    expect(run.stderr.text()).to.contain('interrupted');
    expect(run.stdout.text()).to.contain('run the same command again');

    fake.hooks = [];
    const again = migrateProgram();
    await again.program.parseAsync(migrateArgs('--progress', 'none'));
    expect(again.exitCode()).to.equal(0);
    expect(again.stdout.text()).to.contain('(resumed)').and.contain('rewritten: 5');
    expect(fake.requestsOf('objects', 'patch')).to.have.length(5);
  });

  it('refuses an unknown context and bad numbers', async () => {
    const run = migrateProgram();
    let error: Error | undefined;
    await run.program.parseAsync(migrateArgs('--context', 'nope')).catch((e: Error) => (error = e));
    expect(error?.message).to.equal('no context "nope" in the kubeconfig (it has: test-context)');

    const bad = migrateProgram();
    bad.program.configureOutput({ writeErr: () => {} });
    let parseError: Error | undefined;
    await bad.program.commands[0]!.configureOutput({ writeErr: () => {} })
      .exitOverride()
      .parseAsync(['--crd', CRD, '--qps', '0'], { from: 'user' })
      .catch((e: Error) => (parseError = e));
    expect(parseError?.message).to.contain('--qps must be a positive number');
  });

  it('explains the retirement of a version in its help', () => {
    let help = '';
    const program = new Command('crdconv');
    registerMigrate(program);
    const migrate = program.commands.find((c) => c.name() === 'migrate')!;
    migrate.configureOutput({ writeOut: (s) => (help += s) });
    migrate.outputHelp();
    const steps = [
      '1. Add the new version',
      '2. Switch storage',
      '3. Migrate',
      '4. Trim storedVersions',
      '5. Stop serving v1',
      '6. Remove v1',
    ];
    const positions = steps.map((s) => help.indexOf(s));
    expect(
      positions.every((p) => p > 0),
      `help lacks a step: ${JSON.stringify(positions)}`,
    ).to.equal(true);
    expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
    for (const flag of [
      '--crd',
      '--context',
      '--kubeconfig',
      '--qps',
      '--dry-run',
      '--state-file',
      '--no-trim',
      '--page-size',
      '--progress',
    ])
      expect(help).to.contain(flag);
  });

  it('check: prints findings in plain words and exits 1 on a problem', async () => {
    writeFileSync(
      join(dir, `${CRD}.yaml`),
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: crontabs.stable.example.com }\nspec: { versions: [] }\n',
    );
    const stdout = capture();
    let exitCode: number | undefined;
    const program = new Command('crdconv').exitOverride();
    registerCheck(program, { stdout: stdout.stream, setExitCode: (c) => (exitCode = c) });
    await program.parseAsync(['node', 'crdconv', 'check', '--crd', CRD, '--kubeconfig', kubeconfig, '--crds-dir', dir]);

    expect(exitCode).to.equal(1);
    const out = stdout.text();
    expect(out).to.match(/^problem version v1 is in the cluster but not in /m);
    // The fixture's caBundle is base64 of the words "CA BUNDLE", not a certificate.
    expect(out).to.match(/^problem the caBundle does not decode to a PEM certificate/m);
    expect(out).to.match(/^ok {6}read ns\/o0 at v1 through the apiserver$/m);
    expect(out.trim().split('\n').pop()).to.match(/^crontabs\.stable\.example\.com: \d+ problems?, \d+ warnings?$/);
  });
});
