// The chart with a package user's own kinds: CRDs given as values (crds.manifests, set with
// --set-file as docs/adopting.md says), crdconv's examples off, the user's image and --kinds.
// The user CRD is examples/widgets' generated one. Needs helm ($HELM or on PATH), like render.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import YAML from 'yaml';
import { at, chartCrdsDir, chartDir, findHelm, findManifest, helmTemplate, listFiles, readText, repoRoot, runHelm, type Manifest } from './chart.js';
import { validateManifest } from './kubernetes-schema.js';

const helm = findHelm();
const RELEASE = 'widgets';
const NAMESPACE = 'team-a';
const FULLNAME = 'widgets-crdconv';
const WIDGETS_DIR = path.join(repoRoot, 'examples', 'widgets', 'crds');
const WIDGETS_FILE = path.join(WIDGETS_DIR, 'widgets.acme.example.org.yaml');
const USER = ['--set', 'crds.examples=false', '--set-file', `crds.manifests.widgets=${WIDGETS_FILE}`];

const render = (...args: string[]) => helmTemplate(helm as string, [RELEASE, '--namespace', NAMESPACE, ...args]);
const crdsOf = (manifests: Manifest[]) => manifests.filter((m) => m.kind === 'CustomResourceDefinition');
const crdNames = (manifests: Manifest[]) => crdsOf(manifests).map((m) => String(m.metadata['name'])).sort();
/** The metadata.name of every CRD in a folder of CRD files. */
const namesIn = (dir: string) => listFiles(dir, '.yaml').map((f) => String(at(YAML.parse(readText(path.join(dir, f))), 'metadata', 'name')));

/** helm template expected to fail; its stderr. */
function renderFails(...args: string[]): string {
  const result = runHelm(helm as string, ['template', RELEASE, chartDir, '--namespace', NAMESPACE, ...args]);
  expect(result.status, `helm template ${args.join(' ')} should fail:\n${result.stdout.slice(0, 400)}`).to.not.equal(0);
  return result.stderr;
}

async function schemaProblems(manifests: Manifest[]): Promise<string[]> {
  const reports = await Promise.all(manifests.map(validateManifest));
  return reports.flatMap((r) => r.problems.map((p) => `${r.object}: ${p}`));
}

describe('helm: your own CRDs and image (crds.manifests, crds.examples, kinds)', function () {
  this.timeout(60_000);
  let work: string;

  before(function () {
    if (!helm) {
      console.log('    SKIPPED (no helm): user CRDs via crds.manifests. export HELM="$(bash helm/tools/fetch-helm.sh)"');
      this.skip();
    }
    work = mkdtempSync(path.join(tmpdir(), 'crdconv-user-crds-'));
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the fixtures are what they should be: the widgets CRD is a Webhook CRD and not one of the examples', () => {
    const widgets = YAML.parse(readText(WIDGETS_FILE)) as unknown;
    expect(at(widgets, 'spec', 'conversion', 'strategy')).to.equal('Webhook');
    expect(namesIn(chartCrdsDir)).to.not.include('widgets.acme.example.org');
    expect(namesIn(chartCrdsDir).length).to.be.greaterThan(0);
  });

  describe('generated certificates', () => {
    let manifests: Manifest[];
    before(() => {
      manifests = render(...USER, '--set', 'image.repository=registry.example.com/widgets-webhook', '--set', 'image.tag=0.1.0');
    });

    it('renders the user CRD and none of the shipped examples', () => {
      expect(crdNames(manifests)).to.deep.equal(['widgets.acme.example.org']);
    });

    it("points the user CRD at the release's Service with the generated CA, and keeps it on uninstall", () => {
      const crd = findManifest(manifests, 'CustomResourceDefinition', 'widgets.acme.example.org');
      const secret = findManifest(manifests, 'Secret');
      const clientConfig = at(crd, 'spec', 'conversion', 'webhook', 'clientConfig');
      expect(at(clientConfig, 'service')).to.deep.equal({ name: FULLNAME, namespace: NAMESPACE, path: '/convert', port: 443 });
      expect(at(clientConfig, 'caBundle')).to.be.a('string').and.not.equal('');
      expect(at(clientConfig, 'caBundle')).to.equal(at(secret, 'data', 'ca.crt'));
      expect(at(crd, 'metadata', 'annotations', 'helm.sh/resource-policy')).to.equal('keep');
      expect(at(crd, 'metadata', 'annotations', 'cert-manager.io/inject-ca-from')).to.equal(undefined);
      expect(at(crd, 'metadata', 'labels', 'app.kubernetes.io/instance')).to.equal(RELEASE);
      expect(at(crd, 'spec', 'conversion', 'webhook', 'conversionReviewVersions')).to.deep.equal(
        at(YAML.parse(readText(WIDGETS_FILE)), 'spec', 'conversion', 'webhook', 'conversionReviewVersions'),
      );
    });

    it('passes the rest of the user CRD through unchanged', () => {
      const source = YAML.parse(readText(WIDGETS_FILE)) as Record<string, unknown>;
      const crd = findManifest(manifests, 'CustomResourceDefinition', 'widgets.acme.example.org');
      expect(at(crd, 'spec', 'versions')).to.deep.equal(at(source, 'spec', 'versions'));
      expect(at(crd, 'spec', 'names')).to.deep.equal(at(source, 'spec', 'names'));
      expect(at(crd, 'spec', 'group')).to.equal(at(source, 'spec', 'group'));
    });

    it('runs the user image, with no --kinds unless asked (the image sets CRDCONV_KINDS)', () => {
      const container = at(findManifest(manifests, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0);
      expect(at(container, 'image')).to.equal('registry.example.com/widgets-webhook:0.1.0');
      expect((at(container, 'args') as string[]).filter((a) => a.startsWith('--kinds'))).to.deep.equal([]);
      const withKinds = render(...USER, '--set', 'kinds=/app/widgets/kinds/index.js');
      const args = at(findManifest(withKinds, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'args') as string[];
      expect(args.slice(0, 2)).to.deep.equal(['serve', '--kinds=/app/widgets/kinds/index.js']);
    });

    it('passes Kubernetes schema validation', async () => {
      expect(await schemaProblems(manifests)).to.deep.equal([]);
    });
  });

  describe('cert-manager certificates', () => {
    let manifests: Manifest[];
    before(() => {
      manifests = render(...USER, '--set', 'certificates.mode=cert-manager');
    });

    it('asks cainjector for the user CRD\'s caBundle from the serving Certificate', () => {
      const crd = findManifest(manifests, 'CustomResourceDefinition', 'widgets.acme.example.org');
      const certificate = findManifest(manifests, 'Certificate', `${FULLNAME}-serving`);
      expect(at(crd, 'metadata', 'annotations', 'cert-manager.io/inject-ca-from')).to.equal(`${NAMESPACE}/${String(certificate.metadata['name'])}`);
      expect(at(crd, 'spec', 'conversion', 'webhook', 'clientConfig', 'caBundle')).to.equal(undefined);
      expect(at(crd, 'spec', 'conversion', 'webhook', 'clientConfig', 'service', 'name')).to.equal(FULLNAME);
      expect(crdNames(manifests)).to.deep.equal(['widgets.acme.example.org']);
    });

    it('passes Kubernetes schema validation', async () => {
      expect(await schemaProblems(manifests)).to.deep.equal([]);
    });
  });

  it('renders the examples and the user CRD together when examples stay on, every one wired alike', () => {
    const manifests = render('--set-file', `crds.manifests.widgets=${WIDGETS_FILE}`);
    expect(crdNames(manifests)).to.deep.equal([...namesIn(chartCrdsDir), 'widgets.acme.example.org'].sort());
    for (const crd of crdsOf(manifests)) expect(at(crd, 'spec', 'conversion', 'webhook', 'clientConfig', 'service', 'name'), String(crd.metadata['name'])).to.equal(FULLNAME);
  });

  it('takes a list of texts, and a text with several CRDs', () => {
    const widgets = readText(WIDGETS_FILE);
    const second = widgets.replace(/widgets\.acme\.example\.org/g, 'gizmos.acme.example.org').replace(/plural: widgets/, 'plural: gizmos').replace(/kind: Widget$/m, 'kind: Gizmo').replace(/listKind: WidgetList/, 'listKind: GizmoList').replace(/singular: widget$/m, 'singular: gizmo');
    const values = path.join(work, 'list.yaml');
    writeFileSync(values, YAML.stringify({ crds: { examples: false, manifests: [`${widgets}\n---\n${second}`] } }));
    const manifests = render('-f', values);
    expect(crdNames(manifests)).to.deep.equal(['gizmos.acme.example.org', 'widgets.acme.example.org']);
  });

  it('drops the shipped examples with crds.examples=false', () => {
    const off = render('--set', 'crds.examples=false', '--set', 'crds.install=true', '--set-file', `crds.manifests.widgets=${WIDGETS_FILE}`);
    for (const name of namesIn(chartCrdsDir)) expect(crdNames(off)).to.not.include(name);
    expect(crdNames(render())).to.deep.equal(namesIn(chartCrdsDir).sort());
  });

  it('fails, naming the value, on a CRD whose conversion strategy is not Webhook', () => {
    const none = path.join(work, 'none.yaml');
    writeFileSync(none, readText(WIDGETS_FILE).replace('strategy: Webhook', 'strategy: None'));
    const stderr = renderFails('--set', 'crds.examples=false', '--set-file', `crds.manifests.widgets=${none}`);
    expect(stderr).to.match(/crds\.manifests\.widgets: CustomResourceDefinition widgets\.acme\.example\.org has conversion strategy None, not Webhook/);
    const missing = path.join(work, 'no-conversion.yaml');
    const parsed = YAML.parse(readText(WIDGETS_FILE)) as { spec: Record<string, unknown> };
    delete parsed.spec['conversion'];
    writeFileSync(missing, YAML.stringify(parsed));
    expect(renderFails('--set', 'crds.examples=false', '--set-file', `crds.manifests.w=${missing}`)).to.match(/has conversion strategy None, not Webhook/);
  });

  it('fails on a CRD without spec.versions, a text that is not a CRD, a name given twice, and no CRDs at all', () => {
    const parsed = YAML.parse(readText(WIDGETS_FILE)) as { spec: Record<string, unknown> };
    delete parsed.spec['versions'];
    const noVersions = path.join(work, 'no-versions.yaml');
    writeFileSync(noVersions, YAML.stringify(parsed));
    expect(renderFails('--set', 'crds.examples=false', '--set-file', `crds.manifests.w=${noVersions}`)).to.match(/crds\.manifests\.w: CustomResourceDefinition widgets\.acme\.example\.org has no spec\.versions/);
    const configMap = path.join(work, 'cm.yaml');
    writeFileSync(configMap, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    expect(renderFails('--set', 'crds.examples=false', '--set-file', `crds.manifests.cm=${configMap}`)).to.match(/crds\.manifests\.cm must hold one apiextensions\.k8s\.io\/v1 CustomResourceDefinition/);
    const example = path.join(chartCrdsDir, listFiles(chartCrdsDir, '.yaml')[0] as string);
    expect(renderFails('--set-file', `crds.manifests.again=${example}`)).to.match(/crds\.manifests\.again: CustomResourceDefinition \S+ is also given by files\/crds\//);
    expect(renderFails('--set', 'crds.examples=false')).to.match(/no CRDs to install: give yours in crds\.manifests/);
    expect(runHelm(helm as string, ['template', RELEASE, chartDir, '--set', 'crds.examples=false', '--set', 'crds.install=false']).status).to.equal(0);
  });

  it('refuses a non-text manifest through values.schema.json', () => {
    expect(renderFails('--set', 'crds.examples=false', '--set', 'crds.manifests.w=5')).to.match(/manifests/);
  });
});
