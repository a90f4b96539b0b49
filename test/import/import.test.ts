import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/main.js';
import { buildCrd } from '../../src/crd/build.js';
import { renderCrd } from '../../src/crd/render.js';
import { crdDifferences, importCrd, readCrds, versionOrder, type ImportedKind } from '../../src/import/index.js';
import { arbitraryFor } from '../../src/testing/generators/arbitrary.js';
import { lenient } from '../../src/interpreters/lenient.js';
import type { Kind } from '../../src/kinds/defineKind.js';
import { unexpressibleYaml, widgetCrd, widgetYaml } from './fixture.js';
import { REAL_CRDS, fetchRealCrd } from './realCrds.js';

/**
 * `crdconv import` end to end: CRD -> kind folder -> `crdconv crds` -> the same CRD, on a small
 * CRD written for the test and on real multi-version CRDs of public projects (downloaded at test
 * time, see realCrds.ts). The generated code is typechecked with tsc, and its converters run.
 */
const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
// Under the repository's .cache/ (git-ignored, and outside what tsc, eslint and prettier look at).
const OUT = join(ROOT, '.cache', 'crdconv-import', 'out');
const SRC_INDEX = join(ROOT, 'src', 'index.js');

/** Write an imported kind under OUT/<dir>, importing crdconv by relative path (as converters/ does). */
async function write(
  dir: string,
  crd: Record<string, unknown>,
  source: string,
): Promise<ImportedKind & { dir: string }> {
  const at = join(OUT, dir, String((crd.spec as { names: { kind: string } }).names.kind));
  const from = relative(at, SRC_INDEX);
  const imported = importCrd(crd, { from: from.startsWith('.') ? from : `./${from}`, source });
  await mkdir(at, { recursive: true });
  for (const [name, content] of imported.files) await writeFile(join(at, name), content);
  return { ...imported, dir: at };
}

const loadKind = async (dir: string): Promise<Kind> =>
  ((await import(pathToFileURL(join(dir, 'index.ts')).href)) as { kinds: Kind[] }).kinds[0]!;

const regenerate = (kind: Kind) => parse(renderCrd(buildCrd(kind))) as Record<string, unknown>;

/** Every converter of a kind, on generated partial bodies: the output is a body of the target version. */
function convertersProduceTargetBodies(kind: Kind, numRuns: number): void {
  for (const converter of kind.converters) {
    const from = kind.versions.find((v) => v.name === converter.from)!;
    const to = lenient(kind.versions.find((v) => v.name === converter.to)!.codec);
    fc.assert(
      fc.property(arbitraryFor(from.codec, { partial: true }), (body) => {
        const out = (converter.convert as (b: unknown) => unknown)(body);
        if (!to.is(out)) throw new Error(`${converter.from} -> ${converter.to} gave ${JSON.stringify(out)}`);
      }),
      { numRuns, seed: 20261203 },
    );
  }
}

describe('crdconv import', function () {
  this.timeout(240_000);
  before(async () => {
    await rm(OUT, { recursive: true, force: true });
  });

  describe('a small CRD with every schema feature', () => {
    let imported: ImportedKind & { dir: string };
    let kind: Kind;
    before(async () => {
      imported = await write('small', readCrds(widgetYaml)[0]!, 'widgets.yaml');
      kind = await loadKind(imported.dir);
    });

    it("names the CRD's own labels and annotations in a note: the kind does not carry them", () => {
      const crd = readCrds(widgetYaml)[0]!;
      const stamped = {
        ...crd,
        metadata: {
          ...(crd['metadata'] as object),
          annotations: { 'controller-gen.kubebuilder.io/version': 'v0.19.0', 'api-approved.kubernetes.io': 'x' },
          labels: { team: 'a' },
        },
      };
      const notes = importCrd(stamped).notes;
      expect(notes.find((n) => n.startsWith('metadata.annotations'))).to.include(
        'controller-gen.kubebuilder.io/version, api-approved.kubernetes.io',
      );
      expect(notes.find((n) => n.startsWith('metadata.labels'))).to.include('team');
    });

    it('writes a codec per version, a converter per pair of neighbours and an index, versions oldest first', () => {
      expect([...imported.files.keys()]).to.deep.equal(['v1alpha1.ts', 'v1.ts', 'v1alpha1-v1.ts', 'index.ts']);
      expect(imported.problems).to.deep.equal([]);
      expect(imported.notes).to.deep.equal([
        'metadata.annotations of the CRD (controller-gen.kubebuilder.io/version) are not part of the kind and not written by crdconv crds: add them where you apply the CRD',
        'versions are declared oldest first: v1alpha1, v1',
      ]);
      expect(kind.versions.map((v) => v.name)).to.deep.equal(['v1alpha1', 'v1']);
      expect(kind).to.include({ group: 'example.com', kind: 'Widget', plural: 'widgets', scope: 'Namespaced' });
      expect(kind.shortNames).to.deep.equal(['wd']);
      expect(['v2beta1', 'v1', 'v1alpha1', 'v2', 'v1beta2', 'v10'].sort(versionOrder)).to.deep.equal([
        'v1alpha1',
        'v1beta2',
        'v1',
        'v2beta1',
        'v2',
        'v10',
      ]);
    });

    it('crdconv crds on the result gives back the input, to the last description and CEL rule', () => {
      expect(crdDifferences(widgetCrd, regenerate(kind))).to.deep.equal([]);
    });

    it('the comparison sees a difference anywhere, and nothing in order or formatting', () => {
      const output = regenerate(kind);
      const spec = (o: any) =>
        o.spec.versions.find((v: { name: string }) => v.name === 'v1').schema.openAPIV3Schema.properties.spec;
      const changed = structuredClone(output) as any;
      spec(changed).properties.hosts.items.format = 'ipv4';
      spec(changed)['x-kubernetes-validations'].pop();
      delete spec(changed).properties.size.default;
      expect(crdDifferences(widgetCrd, changed)).to.have.length(3);
      const reordered = structuredClone(output) as any;
      reordered.spec.versions.reverse();
      spec(reordered).required = [...spec(reordered).required].reverse();
      expect(crdDifferences(widgetCrd, reordered)).to.deep.equal([]);
    });

    it('the converter skeleton carries the fields of the same type and lists the others with their types', async () => {
      const source = await readFile(join(imported.dir, 'v1alpha1-v1.ts'), 'utf8');
      for (const line of [
        ' * - spec.timeout: v1alpha1 integer (int32); v1 string (duration)',
        ' * - spec.hosts: only in v1 (array of string (hostname))',
        ' * - spec.empty: only in v1 (object (no fields))',
        ' * - spec.template: only in v1 (object (any fields))',
        ' * - status: only in v1 (object {replicas, selector})',
      ]) {
        expect(source).to.include(line);
      }
      // Integer and Int64 are the same TypeScript type: carried, not listed.
      expect(source).not.to.include('spec.size');
      const [up, down] = kind.converters.map((c) => c.convert as (b: unknown) => unknown);
      const ports = [{ name: 'http', port: 80 }];
      expect(up!({ spec: { size: 3, colour: null, ports, timeout: 5 } })).to.deep.equal({
        spec: { size: 3, colour: null, ports },
      });
      expect(down!({ spec: { size: 3, hosts: ['a'], timeout: '5s' }, status: { replicas: 1 } })).to.deep.equal({
        spec: { size: 3 },
      });
      convertersProduceTargetBodies(kind, 50);
    });

    it('reports what the model cannot express with its path and reason, and writes the rest', () => {
      const odd = importCrd(readCrds(unexpressibleYaml)[0]!);
      const at = 'spec.versions[v1].schema.openAPIV3Schema';
      expect(odd.problems).to.deep.equal([
        {
          path: `${at}.properties.metadata`,
          reason: 'only type object and a description can be declared here (crdconv writes metadata itself)',
        },
        {
          path: `${at}.properties.spec.properties.both`,
          reason: 'properties and additionalProperties together are not structural',
        },
        {
          path: `${at}.properties.spec.properties.untyped.type`,
          reason: 'a node without a type (and not int-or-string or preserve-unknown-fields)',
        },
        {
          path: `${at}.properties.spec.properties.list.items`,
          reason: 'an array without items has no structural schema',
        },
        {
          path: `${at}.properties.spec.properties.odd.uniqueItems`,
          reason: 'keyword uniqueItems has no counterpart in the crdconv model',
        },
        {
          path: `${at}.properties.spec.properties.look.pattern`,
          reason: 'pattern "^(?!kube-)[a-z]+$" at offset 1: lookahead (?= / (?! is not RE2 syntax',
        },
      ]);
      expect(odd.files.get('v1.ts')).to.include('export const v1 = version(');
    });

    it('the CLI writes the folder, lists the problems and exits with an error', async () => {
      const dir = join(OUT, 'cli');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'widgets.yaml'), widgetYaml);
      await writeFile(join(dir, 'odds.yaml'), unexpressibleYaml);
      const lines: string[] = [];
      // Registered in the CLI (src/cli/main.ts); run here on a program of its own to read its output.
      expect((await buildProgram('import')).commands.map((c) => c.name())).to.deep.equal(['import']);
      const { registerImport } = await import('../../src/cli/import.js');
      const { Command } = await import('commander');
      const cli = new Command('crdconv').exitOverride();
      registerImport(cli, (line) => lines.push(line));
      await cli.parseAsync(['node', 'crdconv', 'import', '-f', join(dir, 'widgets.yaml'), '--out', join(dir, 'out')]);
      expect(lines[0]).to.equal(`wrote ${join(dir, 'out', 'Widget')}/ (v1alpha1.ts, v1.ts, v1alpha1-v1.ts, index.ts)`);
      expect((await readFile(join(dir, 'out', 'Widget', 'v1.ts'), 'utf8')).split('\n')[3]).to.match(/from 'crdconv';$/);
      lines.length = 0;
      let error: Error | undefined;
      await cli
        .parseAsync(['node', 'crdconv', 'import', '-f', join(dir, 'odds.yaml'), '--out', join(dir, 'out')])
        .catch((e: Error) => (error = e));
      expect(error?.message).to.match(/^6 part\(s\) of the schema have no exact counterpart/);
      expect(lines).to.include(
        '  cannot express spec.versions[v1].schema.openAPIV3Schema.properties.spec.properties.list.items: an array without items has no structural schema',
      );
    });
  });

  describe('real multi-version CRDs of public projects (from the Go module proxy)', () => {
    for (const real of REAL_CRDS) {
      it(`${real.name}: crdconv crds on the import gives back the input`, async function () {
        let text: string;
        try {
          text = await fetchRealCrd(real);
        } catch (e) {
          console.log(`      SKIPPED: ${(e as Error).message}`);
          this.skip();
        }
        const input = readCrds(text)[0]!;
        expect((input.spec as { versions: unknown[] }).versions.length).to.be.greaterThan(1);
        const imported = await write('real', input, `${real.module}@${real.version}/${real.path}`);
        expect(imported.problems).to.deep.equal([]);
        const kind = await loadKind(imported.dir);
        expect(crdDifferences(input, regenerate(kind))).to.deep.equal([]);
        if (text.split('\n').length < 8000) convertersProduceTargetBodies(kind, 5);
      });
    }
  });

  describe('the generated code', () => {
    it('the generated code typechecks (tsc, strict, as the project compiles)', async () => {
      await writeFile(
        join(OUT, 'tsconfig.json'),
        JSON.stringify({
          extends: relative(OUT, join(ROOT, 'tsconfig.json')),
          include: ['**/*.ts'],
          compilerOptions: { noEmit: true, incremental: false },
        }),
      );
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = await run(process.execPath, [tsc, '-p', join(OUT, 'tsconfig.json')], {
        maxBuffer: 64 << 20,
      }).catch((e: { stdout: string }) => e);
      expect(result.stdout.split('\n').slice(0, 20).join('\n')).to.equal('');
    });

    it('`crdconv crds --kinds <folder>/index.ts` (the real command) writes the input CRD back', async () => {
      const out = join(OUT, 'crds');
      await run(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'src', 'cli', 'main.ts'),
          'crds',
          '--kinds',
          join(OUT, 'small', 'Widget', 'index.ts'),
          '--out',
          out,
        ],
        {
          cwd: ROOT,
        },
      );
      const written = parse(await readFile(join(out, 'widgets.example.com.yaml'), 'utf8'));
      expect(crdDifferences(widgetCrd, written)).to.deep.equal([]);
    });
  });
});
