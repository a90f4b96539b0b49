import { expect } from 'chai';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as runCrdconv } from '../support/cli.js';

// The CLI tests' own kind (test/cli/fixtures/gadget.ts), never the shipped examples.
const KINDS = ['--kinds', 'test/cli/fixtures/gadget.ts'];
const runCli = (args: readonly string[], options?: Parameters<typeof runCrdconv>[1]) =>
  runCrdconv([...args, ...KINDS], options);

const GADGET =
  'apiVersion: cli.test.example/v1\nkind: Gadget\nmetadata:\n  name: web\nspec:\n  address: localhost:8080\n';

describe('crdconv convert / validate (the CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crdconv-cli-'));
    await mkdir(join(dir, 'nested'));
    await writeFile(join(dir, 'a.yaml'), GADGET);
    await writeFile(join(dir, 'nested', 'b.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
  });

  it('converts stdin to stdout', async () => {
    const r = await runCli(['convert', '-f', '-', '--to', 'v2'], { stdin: GADGET });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout)
      .to.contain('apiVersion: cli.test.example/v2')
      .and.contain('host: localhost')
      .and.contain('port: "8080"');
    expect(r.stderr).to.contain('1 converted, 0 failed');
  });

  it('converts a directory in place, leaving other kinds alone', async () => {
    const r = await runCli(['convert', '-f', dir, '--to', 'v2', '--in-place']);
    expect(r.code, r.stderr).to.equal(0);
    expect(await readFile(join(dir, 'a.yaml'), 'utf8')).to.contain('apiVersion: cli.test.example/v2');
    expect(await readFile(join(dir, 'nested', 'b.yml'), 'utf8')).to.equal(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
    );
  });

  it('exits 1 and names the problem for a resource it cannot convert', async () => {
    const r = await runCli(['convert', '-f', '-', '--to', 'v9'], { stdin: GADGET });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('(stdin)#0 Gadget web: ').and.contain('version v9 is not declared for Gadget');
  });

  it('exits 1 with a clear message for unparsable YAML, a missing file and a missing --to', async () => {
    const yaml = await runCli(['convert', '-f', '-', '--to', 'v2'], { stdin: 'a: [1\nb: 2\n' });
    expect(yaml.code).to.equal(1);
    expect(yaml.stderr).to.contain('(stdin): invalid YAML at line 2, column 1');
    const missing = await runCli(['validate', '-f', join(dir, 'nope.yaml')]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain('nope.yaml: no such file or directory');
    const noTo = await runCli(['convert', '-f', '-'], { stdin: GADGET });
    expect(noTo.code).to.equal(1);
    expect(noTo.stderr).to.contain("required option '--to <version>' not specified");
  });

  it('validate prints one line per problem and exits 1; clean input exits 0', async () => {
    const bad = await runCli(['validate', '-f', '-'], {
      stdin: 'apiVersion: cli.test.example/v2\nkind: Gadget\nmetadata: {name: x}\nspec: {port: "80", address: h}\n',
    });
    expect(bad.code).to.equal(1);
    expect(bad.stdout.trim()).to.equal(
      '(stdin)#0 Gadget x: .spec.host: required string missing\n' +
        '(stdin)#0 Gadget x: .spec.address: not in the v2 schema (the apiserver would prune it)',
    );
    const good = await runCli(['validate', '-f', dir]);
    expect(good.code, good.stdout + good.stderr).to.equal(0);
    expect(good.stderr).to.contain('1 resource(s) checked, 1 of other kinds skipped, 0 problem(s)');
  });
});
