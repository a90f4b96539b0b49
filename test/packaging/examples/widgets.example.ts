import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { postReviewJson } from '../../support/service.js';

/**
 * examples/widgets as a user has it: crdconv packed (`npm pack`, which builds it) and installed
 * from the tarball into a copy of the project, never imported by relative path. Then what its
 * README promises: its tests (roundTripSuite) pass, `crdconv crds` writes its CRDs, `crdconv
 * serve --kinds` converts a review over HTTPS, and the compiled kinds work laid out as the image
 * built on crdconv's has them. Run by `npm run test:examples` (CI: .ci/run); a few minutes.
 */
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/widgets');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of every child: no kinds module inherited from the caller. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1', ...extra };
  if (!('CRDCONV_KINDS' in extra)) delete env.CRDCONV_KINDS;
  return env;
}

function run(command: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const ok = (r: Run, what: string): Run => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
};

describe('examples/widgets: a project using crdconv as a package', function () {
  let tmp: string;
  let tarball: string;
  let project: string;
  let crdconv: string; // the installed bin, as `npx crdconv` runs it

  before(async function () {
    this.timeout(900_000);
    tmp = await mkdtemp(join(tmpdir(), 'crdconv-example-'));
    // Pack from a copy of the sources, so that prepack's clean build never touches the
    // checkout's dist/ (someone may be running it).
    const pkg = join(tmp, 'pkg');
    await mkdir(pkg);
    for (const entry of ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'src', 'converters'])
      await cp(join(ROOT, entry), join(pkg, entry), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    const packed = ok(await run('npm', ['pack', '--pack-destination', tmp, '--silent'], pkg), 'npm pack');
    tarball = join(tmp, packed.stdout.trim().split('\n').pop()!);

    project = join(tmp, 'widgets');
    await cp(EXAMPLE, project, {
      recursive: true,
      filter: (src) => !/[\\/](node_modules|dist)$/.test(src) && !src.endsWith('.tgz'),
    });
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
    manifest.dependencies.crdconv = `file:${tarball}`;
    await writeFile(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    ok(await run('npm', ['install', '--no-audit', '--no-fund'], project), 'npm install');
    crdconv = join(project, 'node_modules/.bin/crdconv');
  });

  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('packs the compiled library, its types and the CLI, and no tests, sources or source maps', async () => {
    const list = ok(await run('tar', ['tzf', tarball], tmp), 'tar')
      .stdout.trim()
      .split('\n');
    for (const file of [
      'package/dist/src/index.js',
      'package/dist/src/index.d.ts',
      'package/dist/src/testing/index.js',
      'package/dist/src/testing/index.d.ts',
      'package/dist/src/cli/main.js',
      'package/dist/converters/index.js',
    ])
      expect(list, file).to.include(file);
    expect(list.filter((f) => /\.map$|\.ts$/.test(f) && !f.endsWith('.d.ts'))).to.deep.equal([]);
    expect(
      list.filter((f) => !f.startsWith('package/dist/') && !/^package\/(package\.json|README\.md|LICENSE)$/.test(f)),
    ).to.deep.equal([]);
    const installed = JSON.parse(await readFile(join(project, 'node_modules/crdconv/package.json'), 'utf8'));
    expect(installed.private).to.equal(undefined);
  });

  it("runs the project's own tests: typecheck against the .d.ts, roundTripSuite and a converter test", async function () {
    this.timeout(600_000);
    const r = ok(await run('npm', ['test'], project), 'npm test');
    expect(r.stdout).to.match(/lossless round trips/);
    expect(r.stdout).to.match(/Widget\.acme\.example\.org/);
    expect(r.stdout).to.match(/through the HTTPS endpoint/);
    expect(r.stdout).to.match(/\d+ passing/);
    expect(r.stdout).to.not.match(/failing/);
  });

  it("crdconv crds (kinds from crdconv.config.json, TypeScript through the project's tsx) matches the checked-in crds/", async function () {
    this.timeout(300_000);
    const r = ok(await run(crdconv, ['crds', '--out', 'crds', '--check'], project), 'crdconv crds --check');
    expect(r.stdout).to.contain('crds: 1 CRD file(s) up to date');
  });

  it('crdconv crds --kinds on the compiled kinds writes the same CRD', async function () {
    this.timeout(300_000);
    ok(await run('npm', ['run', 'build'], project), 'npm run build');
    ok(await run(crdconv, ['crds', '--kinds', 'dist/kinds/index.js', '--out', 'out'], project), 'crdconv crds');
    expect(await readdir(join(project, 'out'))).to.deep.equal(['widgets.acme.example.org.yaml']);
    expect(await readFile(join(project, 'out/widgets.acme.example.org.yaml'), 'utf8')).to.equal(
      await readFile(join(EXAMPLE, 'crds/widgets.acme.example.org.yaml'), 'utf8'),
    );
  });

  it('crdconv serve --kinds converts a review over HTTPS', async function () {
    this.timeout(300_000);
    const devCertDir = join(tmp, 'dev-certs');
    const served = await serve(crdconv, ['--kinds', 'dist/kinds/index.js', '--dev-cert-dir', devCertDir], project);
    try {
      expect(served.logs.find((l) => l.message === 'kinds loaded')?.from).to.equal('--kinds dist/kinds/index.js');
      const answer = await postReviewJson(
        served.port,
        await readFile(join(devCertDir, 'ca.crt'), 'utf8'),
        WIDGET_REVIEW,
      );
      expect(answer.response.result).to.deep.equal({ status: 'Success' });
      expect(answer.response.convertedObjects).to.deep.equal([
        {
          apiVersion: 'acme.example.org/v1',
          kind: 'Widget',
          metadata: { name: 'w', namespace: 'default' },
          spec: { color: '#00ff00', replicas: 2 },
        },
      ]);
    } finally {
      served.child.kill('SIGKILL');
    }
  });

  it('runs the compiled kinds laid out as in the image (FROM crdconv, kinds in /app/widgets)', async function () {
    this.timeout(300_000);
    // The crdconv image: /app holds the package (package.json, dist/) and its production
    // node_modules, which do not contain crdconv itself. The kinds import 'crdconv' by name.
    const app = join(tmp, 'image/app');
    await mkdir(join(app, 'node_modules'), { recursive: true });
    await cp(join(project, 'node_modules/crdconv/package.json'), join(app, 'package.json'));
    await cp(join(project, 'node_modules/crdconv/dist'), join(app, 'dist'), { recursive: true });
    for (const entry of await readdir(join(project, 'node_modules')))
      if (entry !== 'crdconv' && entry !== '.bin')
        await symlink(join(project, 'node_modules', entry), join(app, 'node_modules', entry), 'dir');
    await cp(join(project, 'dist'), join(app, 'widgets'), { recursive: true });
    // What the example's Dockerfile sets, and the image's entry point.
    const env = { CRDCONV_KINDS: join(app, 'widgets/kinds/index.js') };
    const r = ok(
      await run(process.execPath, ['dist/src/cli/main.js', 'crds', '--out', 'out'], app, env),
      'crds in the image layout',
    );
    expect(r.stderr).to.equal('');
    expect(await readFile(join(app, 'out/widgets.acme.example.org.yaml'), 'utf8')).to.equal(
      await readFile(join(EXAMPLE, 'crds/widgets.acme.example.org.yaml'), 'utf8'),
    );
  });

  it('says what to do with TypeScript kinds when tsx is not installed', async function () {
    this.timeout(120_000);
    const outside = join(tmp, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'kinds.ts'), 'export const kinds: unknown[] = [];\n');
    const r = await run(crdconv, ['crds', '--kinds', join(outside, 'kinds.ts'), '--out', 'x'], outside);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('is TypeScript, which node does not load by itself');
    expect(r.stderr).to.contain('npm install --save-dev tsx');
  });
});

const WIDGET_REVIEW = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'ConversionReview',
  request: {
    uid: 'widgets-1',
    desiredAPIVersion: 'acme.example.org/v1',
    objects: [
      {
        apiVersion: 'acme.example.org/v1alpha1',
        kind: 'Widget',
        metadata: { name: 'w', namespace: 'default' },
        spec: { colour: '#00ff00', replicas: 2 },
      },
    ],
  },
};

/** `crdconv serve` on loopback ephemeral ports; resolves once it logs that it listens. */
async function serve(bin: string, args: readonly string[], cwd: string) {
  const child = spawn(
    bin,
    [
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--health-probe-bind-address',
      '127.0.0.1:0',
      '--metrics-bind-address',
      '127.0.0.1:0',
      ...args,
    ],
    { cwd, env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const logs: Record<string, any>[] = [];
  const listening = new Promise<number>((done, fail) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      let entry: Record<string, any>;
      try {
        entry = JSON.parse(line);
      } catch {
        entry = { message: line };
      }
      logs.push(entry);
      if (entry.message === 'conversion webhook listening') done(entry.port as number);
    });
    child.on('exit', (code) =>
      fail(new Error(`crdconv serve exited ${code}: ${logs.map((l) => l.message).join(' | ')}`)),
    );
  });
  return { child, logs, port: await listening };
}
