import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Which part of src/ may import which. Lower layers know nothing of higher ones, the service
 * never loads the test kit, and the user's kinds (converters/) see only the public surface. A new
 * import that crosses a line fails here with the file and the import named; change this map only
 * with a reason.
 */
const ALLOWED: Record<string, readonly string[]> = {
  json: [],
  log: [],
  model: ['json'],
  validate: ['model', 'json'],
  // openapi reads Kubernetes' wire names (crd/wire.ts); crd in turn renders with the interpreters.
  interpreters: ['model', 'json', 'validate', 'crd'],
  // load.ts falls back to the shipped example kinds when the user names none.
  kinds: ['model', 'json', 'interpreters', 'validate', 'converters'],
  crd: ['model', 'json', 'interpreters', 'validate', 'kinds'],
  convert: ['model', 'json', 'interpreters', 'validate', 'kinds'],
  review: ['model', 'json', 'kinds', 'convert'],
  manifests: ['model', 'json', 'interpreters', 'validate', 'kinds', 'convert', 'crd'],
  migrate: ['json', 'log', 'kinds', 'crd'],
  import: ['model', 'json', 'interpreters', 'kinds', 'crd'],
  server: ['model', 'json', 'log', 'interpreters', 'validate', 'kinds', 'convert', 'review'],
  cli: ['model', 'json', 'log', 'interpreters', 'validate', 'kinds', 'crd', 'convert', 'review'].concat([
    'manifests',
    'migrate',
    'import',
    'server',
  ]),
  // The library entry (src/index.ts): everything a converter author or a tool needs, but not the
  // service, the CLI or the test kit (crdconv/testing is its own entry).
  index: ['model', 'json', 'log', 'interpreters', 'validate', 'kinds', 'crd', 'convert', 'manifests'],
  // The test kit may use anything but the CLI.
  testing: ['model', 'json', 'log', 'interpreters', 'validate', 'kinds', 'crd', 'convert', 'review', 'server'].concat([
    'manifests',
    'converters',
    'index',
  ]),
};

/** Packages only the test kit may load: the service must run with production dependencies. */
const TEST_KIT_PACKAGES = ['fast-check', 'mocha', 'chai'];

const root = resolve(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** src/<layer>/... or src/<layer>.ts, and converters/ as one layer. */
function layerOf(file: string): string {
  const [top, second] = relative(root, file).split('/');
  if (top === 'converters') return 'converters';
  return second!.replace(/\.[jt]s$/, '');
}

/** Module specifiers of static imports, re-exports and dynamic imports with a literal. */
function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

const packageName = (spec: string) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;

describe('layers: which part of the code may import which', () => {
  const srcFiles = tsFiles(join(root, 'src'));

  it('every part of src/ has a rule', () => {
    const layers = new Set(srcFiles.map(layerOf));
    expect([...layers].filter((l) => !(l in ALLOWED))).to.deep.equal([]);
  });

  it('src/ imports only across the allowed lines', () => {
    const crossings: string[] = [];
    for (const file of srcFiles) {
      const from = layerOf(file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) {
          const to = layerOf(resolve(dirname(file), spec));
          if (to !== from && !ALLOWED[from]!.includes(to))
            crossings.push(`${relative(root, file)} (${from}) imports ${spec} (${to})`);
        } else if (from !== 'testing' && TEST_KIT_PACKAGES.includes(packageName(spec))) {
          crossings.push(`${relative(root, file)} (${from}) imports the test-only package ${spec}`);
        }
      }
    }
    expect(crossings).to.deep.equal([]);
  });

  it('the kinds in converters/ import crdconv only through its public surface (src/index.ts)', () => {
    const crossings: string[] = [];
    for (const file of tsFiles(join(root, 'converters'))) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        if (relative(root, target).startsWith('src/') && relative(root, target) !== 'src/index.js')
          crossings.push(`${relative(root, file)} imports ${spec}`);
      }
    }
    expect(crossings).to.deep.equal([]);
  });

  it('finds a crossing when there is one (the checker itself)', () => {
    expect(
      importsOf("import { x } from '../cli/main.js';\nexport { y } from './y.js';\nawait import('z');"),
    ).to.deep.equal(['../cli/main.js', './y.js', 'z']);
    expect(layerOf(join(root, 'src/server/http/probes.ts'))).to.equal('server');
    expect(layerOf(join(root, 'src/log.ts'))).to.equal('log');
    expect(ALLOWED.convert).to.not.include('server');
  });
});
