import { expect } from 'chai';
import { Command } from 'commander';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kinds } from '../../converters/index.js';
import { registerCrds } from '../../src/cli/crds.js';
import { generateCrdFiles } from '../../src/crd/files.js';
import type { Kind } from '../../src/kinds/defineKind.js';
import { fixtureKinds } from './fixtures.js';

/** `crdconv crds ARGS` in-process, with the given kinds; returns what it printed. */
async function crds(args: string[], withKinds: readonly Kind[] = fixtureKinds): Promise<string[]> {
  const printed: string[] = [];
  const program = new Command('crdconv').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerCrds(program, { loadKinds: async () => withKinds, print: (line) => printed.push(line) });
  await program.parseAsync(['crds', ...args], { from: 'user' });
  return printed;
}

describe('crdconv crds', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crdconv-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one file per kind into every --out directory and says what it did', async () => {
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    const printed = await crds(['--out', a, '--out', b]);
    for (const out of [a, b]) {
      expect((await readdir(out)).sort()).to.deep.equal([
        'gadgets.tools.example.org.yaml',
        'rooteds.stable.example.com.yaml',
        'widgets.example.com.yaml',
      ]);
    }
    expect(printed).to.include(`created ${join(a, 'widgets.example.com.yaml')}`);
    expect(await crds(['--out', a])).to.deep.equal([`${a}: 3 CRD file(s) up to date`]);
  });

  it('writes into ./crds without --out', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await crds([]);
    } finally {
      process.chdir(cwd);
    }
    expect(await readdir(join(dir, 'crds'))).to.have.length(3);
  });

  it('puts the service options into every CRD', async () => {
    await crds([
      '--out',
      dir,
      '--service-name',
      'conv',
      '--service-namespace',
      'tools',
      '--service-path',
      '/x',
      '--service-port',
      '8443',
    ]);
    const text = await readFile(join(dir, 'widgets.example.com.yaml'), 'utf8');
    expect(text).to.include('name: conv\n          namespace: tools\n          path: /x\n          port: 8443\n');
  });

  it('rejects a port that is not one', async () => {
    let error: unknown;
    await crds(['--out', dir, '--service-port', '99999']).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/must be a port number/);
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('--check passes on an up-to-date directory and writes nothing', async () => {
    await crds(['--out', dir]);
    expect(await crds(['--out', dir, '--check'])).to.deep.equal([`${dir}: 3 CRD file(s) up to date`]);
  });

  it('--check fails listing missing, differing and stale files, and changes none of them', async () => {
    await crds(['--out', dir], [...fixtureKinds, { ...fixtureKinds[0]!, plural: 'oldwidgets' }]);
    await writeFile(join(dir, 'gadgets.tools.example.org.yaml'), 'edited by hand\n');
    await rm(join(dir, 'rooteds.stable.example.com.yaml'));
    let error: Error | undefined;
    await crds(['--out', dir, '--check']).catch((e: Error) => (error = e));
    expect(error?.message).to.include('run `npm run crds`');
    expect(error?.message).to.include(`missing  ${join(dir, 'rooteds.stable.example.com.yaml')}`);
    expect(error?.message).to.include(`differs  ${join(dir, 'gadgets.tools.example.org.yaml')}`);
    expect(error?.message).to.include(`stale    ${join(dir, 'oldwidgets.example.com.yaml')}`);
    expect(await readFile(join(dir, 'gadgets.tools.example.org.yaml'), 'utf8')).to.equal('edited by hand\n');
    expect(await readdir(dir)).to.include('oldwidgets.example.com.yaml');
  });

  it('generates the shipped kinds through the real program (buildProgram)', async () => {
    // Imported here so that a problem elsewhere in the CLI fails this test, not the file.
    const { buildProgram } = await import('../../src/cli/main.js');
    const program = (await buildProgram()).configureOutput({ writeErr: () => {}, writeOut: () => {} });
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'crdconv', 'crds', '--out', dir]);
    } finally {
      process.stdout.write = write;
    }
    const expected = generateCrdFiles(kinds);
    expect((await readdir(dir)).sort()).to.deep.equal([...expected.keys()].sort());
    for (const [name, content] of expected) expect(await readFile(join(dir, name), 'utf8')).to.equal(content);
  });
});
