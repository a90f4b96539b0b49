import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
  files: string[];
  private?: boolean;
};

/** Module specifiers a file imports, statically or dynamically (type-only imports vanish at build). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(
    /^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm,
  )) {
    specs.push((m[1] ?? m[2] ?? m[3])!);
  }
  return specs;
}

const packageOf = (spec: string): string =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;

/** Every project file reachable from `entry` through relative imports, and the packages they load. */
function reachable(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
      else if (!spec.startsWith('node:')) packages.set(packageOf(spec), file.slice(ROOT.length + 1));
    }
  }
  return { files, packages };
}

describe('packaging: what production loads', () => {
  // The image installs production dependencies only (npm ci --omit=dev): a dev dependency
  // reachable from the CLI crashes the webhook at start, which no other test would notice.
  it('reaches no dev dependency from the CLI, the service or the converters', () => {
    const { files, packages } = reachable(join(ROOT, 'src/cli/main.ts'));
    expect(files.has(join(ROOT, 'converters/index.ts')), 'the converters are reachable').to.equal(true);
    expect(files.has(join(ROOT, 'src/server/service.ts')), 'the service is reachable').to.equal(true);
    const devOnly = [...packages].filter(([name]) => name in pkg.devDependencies && !(name in pkg.dependencies));
    expect(devOnly.map(([name, from]) => `${name} (imported by ${from})`)).to.deep.equal([]);
    const undeclared = [...packages].filter(([name]) => !(name in pkg.dependencies) && !(name in pkg.devDependencies));
    expect(undeclared.map(([name, from]) => `${name} (imported by ${from})`)).to.deep.equal([]);
  });

  // A user's production install has the dependencies only: `import ... from 'crdconv'` must not
  // need fast-check or mocha (optional peer dependencies of crdconv/testing alone).
  it('reaches only dependencies from the library entry point (crdconv)', () => {
    const { packages } = reachable(join(ROOT, 'src/index.ts'));
    const notDeps = [...packages].filter(([name]) => !(name in pkg.dependencies));
    expect(notDeps.map(([name, from]) => `${name} (imported by ${from})`)).to.deep.equal([]);
  });

  it('reaches only dependencies and optional peer dependencies from the test kit (crdconv/testing)', () => {
    const { packages } = reachable(join(ROOT, 'src/testing/index.ts'));
    const outside = [...packages].filter(([name]) => !(name in pkg.dependencies) && !(name in pkg.peerDependencies));
    expect(outside.map(([name, from]) => `${name} (imported by ${from})`)).to.deep.equal([]);
    // fast-check is imported; mocha is not (roundTripSuite uses the globals of the mocha running
    // the test file) but the suite only runs under it.
    expect(packages.has('fast-check'), 'the test kit imports fast-check').to.equal(true);
    expect(Object.keys(pkg.peerDependencies)).to.have.members(['fast-check', 'mocha']);
    for (const peer of Object.keys(pkg.peerDependencies)) {
      expect(pkg.peerDependenciesMeta[peer]?.optional, `${peer} is optional`).to.equal(true);
      expect(pkg.devDependencies[peer], `${peer} is installed for crdconv's own tests`).to.be.a('string');
    }
  });
});

describe('packaging: what the package.json publishes', () => {
  /** dist/src/x.js (or .d.ts) as tsconfig.build.json emits it from src/x.ts. */
  const sourceOf = (built: string) => join(ROOT, built.replace(/^\.\/dist\//, '').replace(/\.(d\.ts|js)$/, '.ts'));

  it('is installable: not private, every entry point built from a source that exists', () => {
    expect(pkg.private).to.equal(undefined);
    const targets = [pkg.main, pkg.types, ...Object.values(pkg.bin).map((b) => `./${b}`)];
    for (const [entry, target] of Object.entries(pkg.exports)) {
      if (entry === './package.json') continue;
      expect(target, entry).to.be.an('object');
      const { types, default: js } = target as { types: string; default: string };
      expect(types.replace(/\.d\.ts$/, ''), `${entry}: types beside the code`).to.equal(js.replace(/\.js$/, ''));
      targets.push(types, js);
    }
    expect(Object.keys(pkg.exports)).to.include.members(['.', './testing']);
    for (const target of targets)
      expect(existsSync(sourceOf(target)), `${target} from ${sourceOf(target)}`).to.equal(true);
  });

  it('publishes the compiled code the entry points name, and neither sources nor tests', () => {
    expect(pkg.files.filter((f) => !f.startsWith('!'))).to.deep.equal(['dist/src/', 'dist/converters/']);
    const entries = [pkg.main, pkg.types, ...Object.values(pkg.bin)];
    for (const e of entries) expect(e.replace(/^\.\//, ''), e).to.match(/^dist\/src\//);
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
    expect(build.compilerOptions.declaration, 'tsconfig.build.json emits .d.ts').to.equal(true);
    expect(build.include).to.deep.equal(['src', 'converters']);
  });
});
