import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KindsLoadError, loadKinds, loadRegistry, SHIPPED_KINDS_SOURCE } from '../../src/kinds/load.js';
import { spawnServe } from '../support/serve.js';
import type { Kind } from '../../src/kinds/defineKind.js';
import { postReviewJson } from '../support/service.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(ROOT, 'test/cli/fixtures');
const fixture = (name: string) => join(FIXTURES, name);
/** tsx's loader by absolute URL, so that `--import` finds it from any working directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const names = (kinds: readonly Kind[]) => kinds.map((k) => `${k.kind}.${k.group}`);
const GADGET = ['Gadget.cli.test.example'];

/** `crdconv ARGS` in its own process, as a user runs it (through tsx), with extra environment. */
function runCli(
  args: readonly string[],
  options: { stdin?: string; cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
  delete env.CRDCONV_KINDS;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The message loadKinds refuses with (a KindsLoadError), or a failure when it accepts. */
async function refusal(spec: string | undefined, cwd?: string): Promise<string> {
  try {
    await loadKinds(spec, cwd === undefined ? {} : { cwd });
  } catch (e) {
    expect(e).to.be.instanceOf(KindsLoadError);
    return (e as Error).message;
  }
  throw new Error(`expected loadKinds(${spec}) to refuse`);
}

describe('kinds from the user: --kinds, CRDCONV_KINDS, crdconv.config.json', () => {
  describe('loadKinds', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'crdconv-kinds-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('loads `export const kinds` from a module path, relative to cwd or absolute', async () => {
      const relative = await loadKinds('test/cli/fixtures/gadget.ts', { cwd: ROOT });
      expect(names(relative.kinds)).to.deep.equal(GADGET);
      expect(relative.source).to.equal('--kinds test/cli/fixtures/gadget.ts');
      const absolute = await loadKinds(fixture('gadget.ts'), { cwd: dir });
      expect(names(absolute.kinds)).to.deep.equal(GADGET);
      expect(absolute.warnings).to.deep.equal([]);
    });

    it('loads kinds that are the default export', async () => {
      expect(names((await loadKinds(fixture('default-export.ts'))).kinds)).to.deep.equal(GADGET);
    });

    it('builds the registry of exactly the kinds it was given', async () => {
      const { registry } = await loadRegistry(fixture('gadget.ts'));
      expect(registry.kinds.map((k) => `${k.def.kind}.${k.def.group}`)).to.deep.equal(['Gadget.cli.test.example']);
    });

    it('reads crdconv.config.json in cwd, with a relative or absolute path', async () => {
      await writeFile(join(dir, 'crdconv.config.json'), JSON.stringify({ kinds: relative(dir, fixture('gadget.ts')) }));
      const loaded = await loadKinds(undefined, { cwd: dir });
      expect(names(loaded.kinds)).to.deep.equal(GADGET);
      expect(loaded.source).to.equal(
        `${join(dir, 'crdconv.config.json')} ("kinds": ${JSON.stringify(relative(dir, fixture('gadget.ts')))})`,
      );
      await writeFile(join(dir, 'crdconv.config.json'), JSON.stringify({ kinds: fixture('default-export.ts') }));
      expect(names((await loadKinds(undefined, { cwd: dir })).kinds)).to.deep.equal(GADGET);
    });

    it('prefers --kinds over crdconv.config.json', async () => {
      await writeFile(join(dir, 'crdconv.config.json'), JSON.stringify({ kinds: './nowhere.js' }));
      expect(names((await loadKinds(fixture('gadget.ts'), { cwd: dir })).kinds)).to.deep.equal(GADGET);
      expect(await refusal(undefined, dir)).to.match(/crdconv\.config\.json.*no such file .*nowhere\.js/);
    });

    it('refuses a config file that is not JSON, names an unknown key or has no kinds path', async () => {
      const config = join(dir, 'crdconv.config.json');
      await writeFile(config, '{ kinds: nope');
      expect(await refusal(undefined, dir)).to.contain(`${config} is not valid JSON`);
      await writeFile(config, JSON.stringify({ kind: './kinds.js' }));
      expect(await refusal(undefined, dir)).to.equal(`${config}: unknown key "kind" (known: kinds)`);
      await writeFile(config, JSON.stringify({}));
      expect(await refusal(undefined, dir)).to.match(/"kinds" must be the path of the module exporting your kinds/);
      await writeFile(config, '[]');
      expect(await refusal(undefined, dir)).to.match(/must hold a JSON object/);
    });

    it('says when the module is missing, a directory, or a .js whose .ts is there', async () => {
      expect(await refusal('nope/kinds.js', dir)).to.equal(
        `--kinds nope/kinds.js: no such file ${join(dir, 'nope/kinds.js')}`,
      );
      expect(await refusal(FIXTURES)).to.equal(
        `--kinds ${FIXTURES}: ${FIXTURES} is a directory; name the module file, e.g. ${join(FIXTURES, 'index.js')}`,
      );
      expect(await refusal(fixture('gadget.js'))).to.contain('there is a .ts file of that name');
      expect(await refusal(fixture('gadget'))).to.contain(`did you mean ${fixture('gadget')}.ts?`);
      expect(await refusal('  ')).to.match(/--kinds \(or CRDCONV_KINDS\) is empty/);
    });

    it('says when the module fails to import, keeping the error as the cause', async () => {
      try {
        await loadKinds(fixture('throws.ts'));
        expect.fail('expected a refusal');
      } catch (e) {
        expect(e).to.be.instanceOf(KindsLoadError);
        expect((e as Error).message).to.equal(
          `--kinds ${fixture('throws.ts')}: the module could not be imported: kinds module exploded on purpose`,
        );
        expect(((e as Error).cause as Error).message).to.equal('kinds module exploded on purpose');
      }
    });

    it('says when the module exports no kinds, an empty list, or something that is not a kind', async () => {
      expect(await refusal(fixture('no-kinds.ts'))).to.equal(
        `--kinds ${fixture('no-kinds.ts')}: the module exports no kinds: expected \`export const kinds: Kind[] = [...]\` ` +
          'or a default export of the kinds (it exports version, widgets)',
      );
      expect(await refusal(fixture('empty-kinds.ts'))).to.match(/kinds is an empty list: there is nothing to serve$/);
      expect(await refusal(fixture('not-a-kind.ts'))).to.match(
        /kinds\[1\] is not a kind declared with defineKind \(no string group\)$/,
      );
    });

    it('names the module when its kinds do not make a registry', async () => {
      try {
        await loadRegistry(fixture('incomplete.ts'));
        expect.fail('expected a refusal');
      } catch (e) {
        expect((e as Error).message).to.equal(
          `--kinds ${fixture('incomplete.ts')}: the converter registry is incomplete:\n` +
            '  - cli.test.example/Lonely: no chain of converters leads from v1 to v2\n' +
            '  - cli.test.example/Lonely: no chain of converters leads from v2 to v1',
        );
      }
    });

    it('falls back to the shipped examples when nothing names a module', async () => {
      const loaded = await loadKinds(undefined, { cwd: dir });
      expect(loaded.source).to.equal(SHIPPED_KINDS_SOURCE);
      expect(loaded.kinds.length).to.be.greaterThan(0);
    });
  });

  describe('the commands', function () {
    this.timeout(60_000);
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'crdconv-kinds-cli-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('crds --kinds writes the CRDs of exactly those kinds', async () => {
      const out = join(dir, 'crds');
      const r = await runCli(['crds', '--kinds', 'test/cli/fixtures/gadget.ts', '--out', out]);
      expect(r.code, r.stderr).to.equal(0);
      expect(await readdir(out)).to.deep.equal(['gadgets.cli.test.example.yaml']);
      expect(await readFile(join(out, 'gadgets.cli.test.example.yaml'), 'utf8')).to.contain('kind: Gadget');
    });

    it('takes the module from CRDCONV_KINDS, and from crdconv.config.json in the working directory', async () => {
      const env = await runCli(['crds', '--out', join(dir, 'env')], {
        env: { CRDCONV_KINDS: fixture('default-export.ts') },
      });
      expect(env.code, env.stderr).to.equal(0);
      expect(await readdir(join(dir, 'env'))).to.deep.equal(['gadgets.cli.test.example.yaml']);
      const project = join(dir, 'project');
      await rm(project, { recursive: true, force: true });
      await mkdir(project);
      await writeFile(join(project, 'crdconv.config.json'), JSON.stringify({ kinds: fixture('gadget.ts') }));
      const config = await runCli(['crds', '--out', 'out'], { cwd: project });
      expect(config.code, config.stderr).to.equal(0);
      expect(await readdir(join(project, 'out'))).to.deep.equal(['gadgets.cli.test.example.yaml']);
    });

    it('exits 1 with the reason for a module that is missing or exports no kinds, in every command', async () => {
      for (const args of [
        ['crds', '--out', join(dir, 'never')],
        ['convert', '-f', '-', '--to', 'v2'],
        ['validate', '-f', '-'],
      ]) {
        const missing = await runCli([...args, '--kinds', 'test/cli/fixtures/missing.ts']);
        expect(missing.code, args[0]).to.equal(1);
        expect(missing.stderr, args[0]).to.equal(
          `crdconv: --kinds test/cli/fixtures/missing.ts: no such file ${fixture('missing.ts')}\n`,
        );
      }
      const none = await runCli(['validate', '-f', '-', '--kinds', 'test/cli/fixtures/no-kinds.ts']);
      expect(none.code).to.equal(1);
      expect(none.stderr).to.contain('the module exports no kinds');
    });

    it('serve exits 1 at once, saying why, for a module that fails to import', async () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--kinds', 'test/cli/fixtures/throws.ts'],
        { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      clearTimeout(timer);
      expect(code, stderr).to.equal(1);
      expect(stderr).to.contain('--kinds test/cli/fixtures/throws.ts: the module could not be imported');
      expect(stderr).to.contain('kinds module exploded on purpose');
    });

    it('serve --kinds serves those kinds, and only those, over HTTPS', async () => {
      const devCertDir = await mkdtemp(join(tmpdir(), 'crdconv-kinds-serve-'));
      const proc = await spawnServe(devCertDir, ['--kinds', 'test/cli/fixtures/gadget.ts']);
      try {
        expect(proc.logs.find((l) => l.msg === 'kinds loaded')?.from).to.equal('--kinds test/cli/fixtures/gadget.ts');
        expect(proc.logs.find((l) => l.msg === 'conversion webhook listening')?.kinds).to.deep.equal([
          'Gadget.cli.test.example (v1, v2)',
        ]);
        const ca = await readFile(join(devCertDir, 'ca.crt'), 'utf8');
        const answer = await postReviewJson(proc.port, ca, {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'ConversionReview',
          request: {
            uid: 'kinds-1',
            desiredAPIVersion: 'cli.test.example/v2',
            objects: [
              {
                apiVersion: 'cli.test.example/v1',
                kind: 'Gadget',
                metadata: { name: 'g', namespace: 'default' },
                spec: { address: 'db:5432' },
              },
            ],
          },
        });
        expect(answer.response.result).to.deep.equal({ status: 'Success' });
        expect(answer.response.convertedObjects).to.deep.equal([
          {
            apiVersion: 'cli.test.example/v2',
            kind: 'Gadget',
            metadata: { name: 'g', namespace: 'default' },
            spec: { host: 'db', port: '5432' },
          },
        ]);
      } finally {
        proc.child.kill('SIGKILL');
        await rm(devCertDir, { recursive: true, force: true });
      }
    });
  });
});
