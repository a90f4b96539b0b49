import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
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
    expect(files.has(join(ROOT, 'src/service.ts')), 'the service is reachable').to.equal(true);
    const devOnly = [...packages].filter(([name]) => name in pkg.devDependencies && !(name in pkg.dependencies));
    expect(devOnly.map(([name, from]) => `${name} (imported by ${from})`)).to.deep.equal([]);
    const undeclared = [...packages].filter(([name]) => !(name in pkg.dependencies) && !(name in pkg.devDependencies));
    expect(undeclared.map(([name, from]) => `${name} (imported by ${from})`)).to.deep.equal([]);
  });
});
