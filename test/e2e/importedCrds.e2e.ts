/**
 * `crdconv import` -> `crdconv crds` -> the real kube-apiserver (issue 16): a CRD imported into
 * codecs and generated again from them must pass the apiserver's own checks (structural schema,
 * list-map keys, CEL compilation and cost), and the constraints it carries must still bite (a CEL
 * rule, a pattern, an enum, list-map keys). Both CLI commands run as processes, as a user runs
 * them. The real CRDs test/import/import.test.ts downloads (kept in .cache/crdconv-import/crds)
 * go through the same way when they are there.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './cluster/cluster.js';
import { e2e, freshNamespace, waitEstablished } from './support/env.js';
import { KubeError, type Kube, type Obj } from './support/kube.js';
import { CACHE as REAL_CACHE, REAL_CRDS } from '../import/realCrds.js';

const run = promisify(execFile);
const WORK = join(repoRoot, '.cache', 'crdconv-e2e-import');
const SRC_INDEX = join(repoRoot, 'src', 'index.js');
const CRDS_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const APPROVAL = 'api-approved.kubernetes.io';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `crdconv <args>` as a process (tsx, like `npm run crdconv`); never throws on a non-zero exit. */
async function crdconv(args: readonly string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as Error & { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Imports `crdFile` into WORK/<name>/kinds and generates its CRD into WORK/<name>/crds; returns it. */
async function importAndRegenerate(
  name: string,
  crdFile: string,
): Promise<{ crd: Obj; importResult: CliResult; crdsResult: CliResult }> {
  const kinds = join(WORK, name, 'kinds');
  const crds = join(WORK, name, 'crds');
  // The generated files import the model from src/ by absolute path (tsx maps .js to .ts).
  const importResult = await crdconv(['import', '-f', crdFile, '--out', kinds, '--from', SRC_INDEX]);
  const [folder] = await readdir(kinds);
  if (!folder) throw new Error(`crdconv import wrote nothing (exit ${importResult.code}): ${importResult.stderr}`);
  const crdsResult = await crdconv(['crds', '--kinds', join(kinds, folder, 'index.ts'), '--out', crds]);
  expect(crdsResult.code, `crdconv crds: ${crdsResult.stderr}`).to.equal(0);
  const [file] = (await readdir(crds)).filter((f) => f.endsWith('.yaml'));
  if (!file) throw new Error(`crdconv crds wrote no CRD: ${crdsResult.stdout}${crdsResult.stderr}`);
  const docs = parseAllDocuments(await readFile(join(crds, file), 'utf8')).map((d) => d.toJS() as Obj);
  expect(docs, 'one CRD per file').to.have.length(1);
  return { crd: docs[0]!, importResult, crdsResult };
}

/** Creates the CRD (replacing a leftover of an earlier run) and waits until it is Established. */
async function applyCrd(kube: Kube, crd: Obj): Promise<Obj> {
  const name = String((crd['metadata'] as Obj)['name']);
  await deleteCrd(kube, name);
  await kube.create(CRDS_PATH, crd);
  return waitEstablished(kube, name, 60_000);
}

async function deleteCrd(kube: Kube, name: string): Promise<void> {
  const res = await kube.raw('DELETE', `${CRDS_PATH}/${name}`);
  if (res.status === 404) return;
  if (res.status >= 300) throw new KubeError('DELETE', `${CRDS_PATH}/${name}`, res.status, res.text);
  const deadline = Date.now() + 60_000;
  while ((await kube.raw('GET', `${CRDS_PATH}/${name}`)).status !== 404) {
    if (Date.now() > deadline) throw new Error(`CRD ${name} not gone after 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A small CRD written for this test: two versions and one of each kind of constraint. */
const GADGETS = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.e2eimport.example.com
spec:
  group: e2eimport.example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, listKind: GadgetList, shortNames: [gdg]}
  versions:
    - name: v1alpha1
      served: true
      storage: false
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, format: int32, minimum: 1, maximum: 10}
                colour: {type: string, enum: [red, green, blue]}
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size, name]
              x-kubernetes-validations:
                - rule: self.minReplicas <= self.maxReplicas
                  message: minReplicas must not exceed maxReplicas
              properties:
                size: {type: integer, format: int32, minimum: 1, maximum: 10}
                name: {type: string, pattern: '^[a-z][a-z0-9-]*$', maxLength: 40}
                colour: {type: string, enum: [red, green, blue], default: red}
                minReplicas: {type: integer, format: int64, default: 1}
                maxReplicas: {type: integer, format: int64, default: 3}
                port:
                  x-kubernetes-int-or-string: true
                ports:
                  type: array
                  maxItems: 16
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name, protocol]
                  items:
                    type: object
                    required: [name, protocol]
                    properties:
                      name: {type: string, maxLength: 15}
                      protocol: {type: string, enum: [TCP, UDP]}
                      number: {type: integer, format: int32}
                extra:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
            status:
              type: object
              properties:
                ready: {type: boolean}
      subresources:
        status: {}
      additionalPrinterColumns:
        - {name: Size, type: integer, jsonPath: .spec.size}
`;

describe('imported CRDs, generated again from their codecs, on the real apiserver (issue 16)', function () {
  this.timeout(240_000);
  before(async () => {
    await rm(WORK, { recursive: true, force: true });
    await mkdir(WORK, { recursive: true });
  });

  describe('a small CRD written for the test', () => {
    const name = 'gadgets.e2eimport.example.com';
    let crd: Obj;
    let ns: string;
    const path = () => `/apis/e2eimport.example.com/v1/namespaces/${ns}/gadgets`;
    const gadget = (objName: string, spec: Obj): Obj => ({
      apiVersion: 'e2eimport.example.com/v1',
      kind: 'Gadget',
      metadata: { name: objName },
      spec,
    });
    const valid = (): Obj => ({
      size: 3,
      name: 'ok-gadget',
      minReplicas: 1,
      maxReplicas: 2,
      port: 'https',
      ports: [
        { name: 'web', protocol: 'TCP', number: 80 },
        { name: 'web', protocol: 'UDP', number: 80 },
      ],
      extra: { anything: { nested: [1, 'two'] } },
    });
    /** Creates `spec` and expects the apiserver's 422 naming `expected`; returns its message. */
    const rejected = async (objName: string, spec: Obj, expected: string): Promise<string> => {
      const err = await e2e().kube.failing('POST', path(), { body: gadget(objName, spec) });
      expect(err.status, err.message).to.equal(422);
      expect(err.statusMessage).to.include(expected);
      return err.statusMessage;
    };

    before(async () => {
      const file = join(WORK, 'gadgets.yaml');
      await writeFile(file, GADGETS);
      const out = await importAndRegenerate('gadgets', file);
      expect(out.importResult.code, `crdconv import: ${out.importResult.stdout}${out.importResult.stderr}`).to.equal(0);
      expect(out.importResult.stdout + out.importResult.stderr).not.to.include('cannot express');
      crd = out.crd;
      ns = await freshNamespace(e2e().kube, 'imported');
    });
    after(async () => {
      await deleteCrd(e2e().kube, name);
    });

    it('the regenerated CRD keeps the constraints and the apiserver accepts it (Established)', async () => {
      const v1 = ((crd['spec'] as Obj)['versions'] as Obj[]).find((v) => v['name'] === 'v1')!;
      const spec = (((v1['schema'] as Obj)['openAPIV3Schema'] as Obj)['properties'] as Obj)['spec'] as Obj;
      const props = spec['properties'] as Obj;
      expect(spec['x-kubernetes-validations']).to.deep.equal([
        { rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas' },
      ]);
      expect((props['name'] as Obj)['pattern']).to.equal('^[a-z][a-z0-9-]*$');
      expect((props['ports'] as Obj)['x-kubernetes-list-map-keys']).to.deep.equal(['name', 'protocol']);
      expect((props['port'] as Obj)['x-kubernetes-int-or-string']).to.equal(true);
      expect((props['extra'] as Obj)['x-kubernetes-preserve-unknown-fields']).to.equal(true);
      const live = await applyCrd(e2e().kube, crd);
      const conditions = (live['status'] as Obj)['conditions'] as Obj[];
      expect(conditions.find((c) => c['type'] === 'NamesAccepted')?.['status']).to.equal('True');
      expect(conditions.find((c) => c['type'] === 'NonStructuralSchema')).to.equal(undefined);
      expect((live['status'] as Obj)['storedVersions']).to.deep.equal(['v1']);
    });

    it('a valid object is stored as written, with defaults, int-or-string and free-form content', async () => {
      const created = await e2e().kube.create(path(), gadget('good', valid()));
      const spec = created['spec'] as Obj;
      expect(spec['colour']).to.equal('red'); // the default survived the round trip
      expect(spec['port']).to.equal('https');
      expect(spec['extra']).to.deep.equal({ anything: { nested: [1, 'two'] } });
      const numeric = await e2e().kube.create(path(), gadget('numeric-port', { ...valid(), port: 8443 }));
      expect((numeric['spec'] as Obj)['port']).to.equal(8443);
    });

    it('the CEL rule is enforced', async () => {
      await rejected('cel', { ...valid(), minReplicas: 5, maxReplicas: 2 }, 'minReplicas must not exceed maxReplicas');
    });

    it('the pattern, the enum, the bounds and the list-map keys are enforced', async () => {
      await rejected('pattern', { ...valid(), name: 'Bad_Name' }, `should match '^[a-z][a-z0-9-]*$'`);
      await rejected('enum', { ...valid(), colour: 'purple' }, 'Unsupported value: "purple"');
      await rejected('bounds', { ...valid(), size: 11 }, 'should be less than or equal to 10');
      await rejected('required', { size: 1 }, 'spec.name: Required value');
      await rejected(
        'listmap',
        { ...valid(), ports: [...(valid()['ports'] as Obj[]), { name: 'web', protocol: 'TCP', number: 81 }] },
        'Duplicate value',
      );
    });
  });

  describe('the real CRDs of the import tests (cached in .cache/crdconv-import/crds)', () => {
    for (const real of REAL_CRDS) {
      it(`${real.name}: the regenerated CRD is accepted`, async function () {
        const file = join(REAL_CACHE, `${real.module}@${real.version}`, real.path);
        if (!(await stat(file).catch(() => undefined))) {
          process.stderr.write(
            `SKIPPED ${real.name}: ${file} is absent (npm test's test/import/import.test.ts downloads it)\n`,
          );
          this.skip();
        }
        const out = await importAndRegenerate(
          real.path
            .split('/')
            .pop()!
            .replace(/\.yaml$/, ''),
          file,
        );
        // What the model cannot express is reported (exit 1) and still written; the apiserver is
        // the judge of what came out.
        const notes = (out.importResult.stdout + out.importResult.stderr)
          .split('\n')
          .filter((l) => l.includes('cannot express'));
        if (notes.length) process.stderr.write(`  ${real.name}: ${notes.length} "cannot express" notes\n`);
        const name = String((out.crd['metadata'] as Obj)['name']);
        const original = parseAllDocuments(await readFile(file, 'utf8'))[0]!.toJS() as Obj;
        const approval = ((original['metadata'] as Obj)['annotations'] as Obj | undefined)?.[APPROVAL];
        try {
          if (approval !== undefined) {
            // A known gap: the kind model holds no CRD annotations, so the regenerated CRD of a
            // *.k8s.io group loses its API-review approval and the apiserver refuses it as such.
            // Put back that one annotation from the original; everything else is as generated.
            const meta = out.crd['metadata'] as Obj;
            expect((meta['annotations'] as Obj | undefined)?.[APPROVAL], 'the gap is closed: drop this step').to.equal(
              undefined,
            );
            await deleteCrd(e2e().kube, name);
            const refused = await e2e().kube.failing('POST', CRDS_PATH, { body: out.crd });
            expect(refused.status).to.equal(422);
            expect(refused.statusMessage).to.include(`protected groups must have approval annotation "${APPROVAL}"`);
            process.stderr.write(`  ${real.name}: without ${APPROVAL}: HTTP 422 ${refused.statusMessage}\n`);
            meta['annotations'] = { ...((meta['annotations'] as Obj | undefined) ?? {}), [APPROVAL]: approval };
          }
          const live = await applyCrd(e2e().kube, out.crd);
          const versions = ((out.crd['spec'] as Obj)['versions'] as Obj[]).map((v) => v['name']);
          expect(((live['spec'] as Obj)['versions'] as Obj[]).map((v) => v['name'])).to.deep.equal(versions);
          const conditions = (live['status'] as Obj)['conditions'] as Obj[];
          expect(conditions.find((c) => c['type'] === 'NonStructuralSchema')).to.equal(undefined);
        } finally {
          await deleteCrd(e2e().kube, name);
        }
      });
    }
  });
});
