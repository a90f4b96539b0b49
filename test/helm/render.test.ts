// The chart as helm renders it: lint, both certificate modes, the optional objects, every object
// validated against Kubernetes' schemas, and the CRDs wired to the release. Needs a helm binary
// ($HELM or `helm` on PATH); without one this suite says what it skipped, and the static checks in
// the other test/helm files still run.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Command } from 'commander';
import YAML from 'yaml';
import {
  at,
  chartCrdsDir,
  chartDir,
  findHelm,
  findManifest,
  helmTemplate,
  isObject,
  listFiles,
  parseManifests,
  runHelm,
  type JsonObject,
  type Manifest,
} from './chart.js';
import { FakeKubeApi, runHelmAsync } from './fakeKubeApi.js';
import { validateManifest } from './kubernetes-schema.js';
import { parseDuration } from '../../src/cli/duration.js';

const helm = findHelm();
const RELEASE = 'conv';
const NAMESPACE = 'webhooks';
const FULLNAME = 'conv-crdconv';

const render = (...args: string[]) => helmTemplate(helm as string, [RELEASE, '--namespace', NAMESPACE, ...args]);
const renderChart = (chart: string, ...args: string[]) => helmTemplate(helm as string, [RELEASE, '--namespace', NAMESPACE, ...args], chart);
const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const decode = (base64: unknown) => Buffer.from(String(base64), 'base64').toString('utf8');

/** The CRD documents of the chart's files/crds, as the chart's template reads them. */
function sourceCrds(dir = chartCrdsDir): unknown[] {
  return listFiles(dir, '.yaml').flatMap((name) =>
    YAML.parseAllDocuments(readFileSync(path.join(dir, name), 'utf8'), { intAsBigInt: true })
      .map((doc) => doc.toJS() as unknown)
      .filter((doc) => doc !== null),
  );
}

/**
 * A CRD without what the chart is meant to change (clientConfig, the annotations and labels it
 * adds), with exact integers, so a comparison shows anything the YAML round trip in the template
 * bent. minimum/maximum/multipleOf are float64 in Kubernetes' own types, so they compare as
 * numbers.
 */
function withoutChartChanges(crd: unknown, addedLabels: string[]): unknown {
  const copy = structuredClone(crd) as Record<string, unknown>;
  const webhook = at(copy, 'spec', 'conversion', 'webhook');
  if (isObject(webhook)) delete webhook['clientConfig'];
  const metadata = copy['metadata'] as Record<string, unknown>;
  for (const field of ['annotations', 'labels'] as const) {
    const map = metadata[field];
    if (!isObject(map)) continue;
    for (const key of ['helm.sh/resource-policy', 'cert-manager.io/inject-ca-from', ...addedLabels]) delete map[key];
    if (Object.keys(map).length === 0) delete metadata[field];
  }
  const floats = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(floats);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        ['minimum', 'maximum', 'multipleOf'].includes(key) && typeof value === 'bigint' ? Number(value) : floats(value),
      ]),
    );
  };
  return floats(copy);
}

function renderedCrdsExact(manifestsText: string): unknown[] {
  return YAML.parseAllDocuments(manifestsText, { intAsBigInt: true })
    .map((doc) => doc.toJS() as unknown)
    .filter((doc) => isObject(doc) && doc['kind'] === 'CustomResourceDefinition');
}

/** What the restricted Pod Security Standard requires of a pod, as a list of violations. */
function restrictedViolations(pod: unknown): string[] {
  const problems: string[] = [];
  const podContext = at(pod, 'securityContext');
  for (const [i, container] of ((at(pod, 'containers') as unknown[]) ?? []).entries()) {
    const context = at(container, 'securityContext');
    const where = `containers[${i}]`;
    if (at(context, 'allowPrivilegeEscalation') !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!((at(context, 'capabilities', 'drop') as string[] | undefined) ?? []).includes('ALL')) problems.push(`${where}: capabilities not dropped`);
    if (at(context, 'runAsNonRoot') !== true && at(podContext, 'runAsNonRoot') !== true) problems.push(`${where}: runAsNonRoot not set`);
    const seccomp = at(context, 'seccompProfile', 'type') ?? at(podContext, 'seccompProfile', 'type');
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${where}: seccomp ${String(seccomp)}`);
    if (at(context, 'readOnlyRootFilesystem') !== true) problems.push(`${where}: root filesystem writable`);
    if (at(context, 'privileged') === true) problems.push(`${where}: privileged`);
  }
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (at(pod, field) === true) problems.push(field);
  if (((at(pod, 'volumes') as unknown[]) ?? []).some((v) => at(v, 'hostPath') !== undefined)) problems.push('hostPath volume');
  return problems;
}

async function schemaProblems(manifests: Manifest[]): Promise<string[]> {
  const reports = await Promise.all(manifests.map(validateManifest));
  return reports.flatMap((r) => r.problems.map((p) => `${r.object}: ${p}`));
}

const SKIPPED = [
  'helm lint --strict in both certificate modes',
  'helm template in both certificate modes, every object validated against Kubernetes schemas',
  'CRD clientConfig pointing at the release Service, caBundle / inject-ca-from',
  'the generated certificate chain and DNS names',
  'the CRDs passing through the template unchanged',
  'optional NetworkPolicy and ServiceMonitor, values.schema.json enforced by helm',
  'the generated certificate kept on upgrade (lookup against a fake API server)',
];

describe('helm: rendering with the helm binary', function () {
  this.timeout(60_000);

  before(function () {
    if (!helm) {
      console.log(
        `    SKIPPED (no helm on PATH and no $HELM): ${SKIPPED.join('; ')}. The static chart checks ran. ` +
          'To run these, get helm with: export HELM="$(bash helm/tools/fetch-helm.sh)"',
      );
      this.skip();
    }
  });

  it('helm lint --strict passes in both certificate modes', () => {
    for (const mode of ['generated', 'cert-manager']) {
      const result = runHelm(helm as string, ['lint', '--strict', chartDir, '--set', `certificates.mode=${mode}`]);
      expect(result.status, `${mode}:\n${result.stdout}${result.stderr}`).to.equal(0);
    }
  });

  it('refuses misspelled and mistyped values (helm applies values.schema.json)', () => {
    for (const [setting, message] of [
      ['replicaCont=3', /replicaCont/],
      ['logLevel=verbose', /logLevel/],
      ['certificates.mode=certmanager', /certificates\/mode|certificates\.mode/],
    ] as const) {
      const result = runHelm(helm as string, ['template', RELEASE, chartDir, '--set', setting]);
      expect(result.status, setting).to.not.equal(0);
      expect(result.stderr).to.match(message);
    }
  });

  describe('chart-generated certificates (the default)', () => {
    let manifests: Manifest[];
    let text: string;
    before(() => {
      const result = runHelm(helm as string, ['template', RELEASE, chartDir, '--namespace', NAMESPACE]);
      if (result.status !== 0) throw new Error(result.stderr);
      text = result.stdout;
      manifests = helmTemplate(helm as string, [RELEASE, '--namespace', NAMESPACE]);
    });

    it('renders the webhook objects and one CRD per source CRD', () => {
      const kinds = manifests.map((m) => m.kind).sort();
      const crdCount = sourceCrds().length;
      expect(crdCount, 'CRDs in files/crds (run `npm run crds`)').to.be.greaterThan(0);
      expect(kinds).to.deep.equal(
        [...Array<string>(crdCount).fill('CustomResourceDefinition'), 'Deployment', 'PodDisruptionBudget', 'Secret', 'Service', 'ServiceAccount'].sort(),
      );
      for (const m of manifests.filter((x) => x.kind !== 'CustomResourceDefinition')) expect(m.metadata['namespace'], m.kind).to.equal(NAMESPACE);
    });

    it('passes Kubernetes schema validation, unknown fields included', async () => {
      expect(await schemaProblems(manifests)).to.deep.equal([]);
    });

    it('points every CRD at the release Service with the generated CA, and keeps it on uninstall', () => {
      const secret = findManifest(manifests, 'Secret');
      for (const crd of ofKind(manifests, 'CustomResourceDefinition')) {
        const clientConfig = at(crd, 'spec', 'conversion', 'webhook', 'clientConfig');
        expect(at(clientConfig, 'service'), String(crd.metadata['name'])).to.deep.equal({ name: FULLNAME, namespace: NAMESPACE, path: '/convert', port: 443 });
        expect(at(clientConfig, 'caBundle')).to.equal(at(secret, 'data', 'ca.crt'));
        expect(at(crd, 'metadata', 'annotations', 'helm.sh/resource-policy')).to.equal('keep');
        expect(at(crd, 'metadata', 'annotations', 'cert-manager.io/inject-ca-from')).to.equal(undefined);
      }
    });

    it('generates a serving certificate for <service>.<namespace>.svc signed by that CA', () => {
      const secret = findManifest(manifests, 'Secret');
      expect(secret['type']).to.equal('kubernetes.io/tls');
      const ca = new X509Certificate(decode(at(secret, 'data', 'ca.crt')));
      const cert = new X509Certificate(decode(at(secret, 'data', 'tls.crt')));
      expect(ca.ca).to.equal(true);
      expect(cert.verify(ca.publicKey)).to.equal(true);
      expect(cert.checkPrivateKey(createPrivateKey(decode(at(secret, 'data', 'tls.key'))))).to.equal(true);
      expect(cert.subjectAltName).to.equal(`DNS:${FULLNAME}.${NAMESPACE}.svc, DNS:${FULLNAME}.${NAMESPACE}.svc.cluster.local`);
      expect(cert.checkHost(`${FULLNAME}.${NAMESPACE}.svc`)).to.equal(`${FULLNAME}.${NAMESPACE}.svc`);
      const years = (Date.parse(cert.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
      expect(years).to.be.within(9.9, 10.1);
    });

    it('passes every CRD through unchanged apart from its conversion clientConfig, labels and annotations', () => {
      const labels = Object.keys(at(findManifest(manifests, 'Service'), 'metadata', 'labels') as object);
      const rendered = renderedCrdsExact(text).map((crd) => withoutChartChanges(crd, labels));
      const source = sourceCrds().map((crd) => withoutChartChanges(crd, []));
      const byName = (list: unknown[]) => [...list].sort((a, b) => String(at(a, 'metadata', 'name')).localeCompare(String(at(b, 'metadata', 'name'))));
      expect(byName(rendered)).to.deep.equal(byName(source));
    });

    it('runs a restricted, probed, spread Deployment that mounts the certificate where serve reads it', () => {
      const deployment = findManifest(manifests, 'Deployment');
      const pod = at(deployment, 'spec', 'template', 'spec');
      const container = at(pod, 'containers', 0);
      expect(at(deployment, 'spec', 'replicas')).to.equal(2);
      expect(restrictedViolations(pod)).to.deep.equal([]);
      expect((at(pod, 'topologySpreadConstraints') as unknown[]).map((c) => at(c, 'topologyKey'))).to.include('kubernetes.io/hostname');
      expect(at(container, 'resources', 'requests')).to.include.keys('cpu', 'memory');
      expect(at(container, 'resources', 'limits')).to.include.keys('cpu', 'memory');
      const ports = Object.fromEntries((at(container, 'ports') as { name: string; containerPort: number }[]).map((p) => [p.name, p.containerPort]));
      expect(ports).to.deep.equal({ webhook: 9443, metrics: 8080, probes: 8081 });
      expect(at(container, 'livenessProbe', 'httpGet')).to.deep.equal({ path: '/healthz', port: 'probes' });
      expect(at(container, 'readinessProbe', 'httpGet')).to.deep.equal({ path: '/readyz', port: 'probes' });
      const args = at(container, 'args') as string[];
      expect(args[0]).to.equal('serve');
      expect(args).to.include.members(['--port=9443', '--health-probe-bind-address=:8081', '--metrics-bind-address=:8080', '--shutdown-delay=5s']);
      const grace = args.find((a) => a.startsWith('--shutdown-grace='))?.slice('--shutdown-grace='.length) ?? '';
      expect(at(pod, 'terminationGracePeriodSeconds'), 'the kubelet waits longer than the drain').to.be.greaterThan(parseDuration(grace) / 1000);
      const certDir = args.find((a) => a.startsWith('--cert-dir='))?.slice('--cert-dir='.length);
      const mount = (at(container, 'volumeMounts') as { name: string; mountPath: string }[]).find((m) => m.mountPath === certDir);
      const volume = (at(pod, 'volumes') as { name: string }[]).find((v) => v.name === mount?.name);
      expect(at(volume, 'secret', 'secretName')).to.equal(findManifest(manifests, 'Secret').metadata['name']);
      expect(at(pod, 'automountServiceAccountToken')).to.equal(false);
    });

    it('serves https on 443 and metrics through a Service that selects the pods', () => {
      const service = findManifest(manifests, 'Service');
      const deployment = findManifest(manifests, 'Deployment');
      expect(at(service, 'spec', 'ports')).to.deep.equal([
        { name: 'https', port: 443, targetPort: 'webhook', protocol: 'TCP' },
        { name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' },
      ]);
      const podLabels = at(deployment, 'spec', 'template', 'metadata', 'labels') as Record<string, string>;
      expect(podLabels).to.include(at(service, 'spec', 'selector') as Record<string, string>);
      expect(podLabels).to.include(at(findManifest(manifests, 'PodDisruptionBudget'), 'spec', 'selector', 'matchLabels') as Record<string, string>);
    });
  });

  describe('cert-manager certificates', () => {
    let manifests: Manifest[];
    before(() => {
      manifests = render('--set', 'certificates.mode=cert-manager');
    });

    it('passes Kubernetes schema validation', async () => {
      expect(await schemaProblems(manifests)).to.deep.equal([]);
      expect(ofKind(manifests, 'Secret')).to.deep.equal([]);
    });

    it('issues the serving certificate from a chart-made CA for <service>.<namespace>.svc', () => {
      const serving = findManifest(manifests, 'Certificate', `${FULLNAME}-serving`);
      expect(at(serving, 'spec', 'dnsNames')).to.deep.equal([`${FULLNAME}.${NAMESPACE}.svc`, `${FULLNAME}.${NAMESPACE}.svc.cluster.local`]);
      const caIssuer = findManifest(manifests, 'Issuer', String(at(serving, 'spec', 'issuerRef', 'name')));
      const caCertificate = findManifest(manifests, 'Certificate', `${FULLNAME}-ca`);
      expect(at(caCertificate, 'spec', 'isCA')).to.equal(true);
      expect(at(caIssuer, 'spec', 'ca', 'secretName')).to.equal(at(caCertificate, 'spec', 'secretName'));
      findManifest(manifests, 'Issuer', String(at(caCertificate, 'spec', 'issuerRef', 'name')));
      const volumes = at(findManifest(manifests, 'Deployment'), 'spec', 'template', 'spec', 'volumes') as unknown[];
      expect(volumes.map((v) => at(v, 'secret', 'secretName'))).to.include(at(serving, 'spec', 'secretName'));
    });

    it('asks cainjector for the caBundle instead of writing one', () => {
      for (const crd of ofKind(manifests, 'CustomResourceDefinition')) {
        expect(at(crd, 'metadata', 'annotations', 'cert-manager.io/inject-ca-from')).to.equal(`${NAMESPACE}/${FULLNAME}-serving`);
        expect(at(crd, 'spec', 'conversion', 'webhook', 'clientConfig')).to.deep.equal({
          service: { name: FULLNAME, namespace: NAMESPACE, path: '/convert', port: 443 },
        });
      }
      expect(ofKind(manifests, 'CustomResourceDefinition')).to.not.be.empty;
    });

    it('uses a given ClusterIssuer and creates no issuer of its own', () => {
      const withIssuer = render(
        '--set', 'certificates.mode=cert-manager',
        '--set', 'certificates.certManager.issuerRef.name=internal-ca',
        '--set', 'certificates.certManager.issuerRef.kind=ClusterIssuer',
      );
      expect(ofKind(withIssuer, 'Issuer')).to.deep.equal([]);
      expect(ofKind(withIssuer, 'Certificate').map((c) => c.metadata['name'])).to.deep.equal([`${FULLNAME}-serving`]);
      expect(at(findManifest(withIssuer, 'Certificate'), 'spec', 'issuerRef')).to.deep.equal({ name: 'internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    });
  });

  describe('optional objects and settings', () => {
    it('renders a valid NetworkPolicy and ServiceMonitor that match the Service and pods', async () => {
      const manifests = render(
        '--set', 'networkPolicy.enabled=true',
        '--set', 'networkPolicy.webhookFrom[0].ipBlock.cidr=10.0.0.0/24',
        '--set', 'metrics.serviceMonitor.enabled=true',
        '--set', 'metrics.serviceMonitor.labels.release=prometheus',
      );
      expect(await schemaProblems(manifests)).to.deep.equal([]);
      const policy = findManifest(manifests, 'NetworkPolicy');
      const ingress = at(policy, 'spec', 'ingress') as unknown[];
      expect(ingress.map((rule) => at(rule, 'ports', 0, 'port'))).to.deep.equal(['webhook', 'metrics']);
      expect(at(ingress[0], 'from')).to.deep.equal([{ ipBlock: { cidr: '10.0.0.0/24' } }]);
      expect(at(ingress[1], 'from', 0, 'namespaceSelector')).to.not.equal(undefined);
      const monitor = findManifest(manifests, 'ServiceMonitor');
      const service = findManifest(manifests, 'Service');
      expect(at(service, 'metadata', 'labels')).to.include(at(monitor, 'spec', 'selector', 'matchLabels') as Record<string, string>);
      const servicePorts = (at(service, 'spec', 'ports') as { name: string }[]).map((p) => p.name);
      expect(servicePorts).to.include(at(monitor, 'spec', 'endpoints', 0, 'port') as string);
      expect(at(monitor, 'metadata', 'labels', 'release')).to.equal('prometheus');
    });

    it('passes service settings as flags and honours image, PDB and CRD switches', async () => {
      const manifests = render(
        '--set', 'maxRequestBytes=10485760',
        '--set', 'logLevel=debug',
        '--set', 'extraArgs[0]=--tls-min-version=1.3',
        '--set', `image.digest=sha256:${'b'.repeat(64)}`,
        '--set', 'podDisruptionBudget.minAvailable=50%',
        '--set', 'crds.keep=false',
        '--set', 'replicaCount=3',
        '--set', 'convertThreads=2',
        '--set', 'workers=2',
        '--set', 'resources.limits.memory=1Gi',
      );
      expect(await schemaProblems(manifests)).to.deep.equal([]);
      const container = at(findManifest(manifests, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0);
      expect(at(container, 'args')).to.include.members(['--max-request-bytes=10485760', '--log-level=debug', '--tls-min-version=1.3', '--convert-threads=2', '--workers=2']);
      const defaults = at(findManifest(render(), 'Deployment'), 'spec', 'template', 'spec', 'containers', 0);
      expect(at(defaults, 'args')).to.include('--convert-threads=auto');
      // workers: auto follows the CPU limit: one process for the default one CPU (the flag's own
      // default, so no flag), one per whole CPU above.
      const workersOf = (...settings: string[]) =>
        (at(findManifest(render(...settings), 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'args') as string[]).filter((a) => a.startsWith('--workers'));
      // One per whole CPU and per 512Mi of memory (a worker is a whole process), whichever is fewer.
      const mem = (m: string) => ['--set', `resources.limits.memory=${m}`];
      expect(workersOf()).to.deep.equal([]);
      expect(workersOf('--set', 'resources.limits.cpu=2')).to.deep.equal([]);
      expect(workersOf('--set', 'resources.limits.cpu=2', ...mem('1Gi'))).to.deep.equal(['--workers=2']);
      expect(workersOf('--set', 'resources.limits.cpu=3700m', ...mem('2Gi'))).to.deep.equal(['--workers=3']);
      expect(workersOf('--set', 'resources.limits.cpu=1999m', ...mem('2Gi'))).to.deep.equal([]);
      expect(workersOf('--set', 'resources.limits.cpu=64', ...mem('4Gi'))).to.deep.equal(['--workers=8']);
      expect(workersOf('--set', 'resources.limits.cpu=64', '--set', 'resources.limits.memory=null')).to.deep.equal(['--workers=16']);
      expect(workersOf('--set', 'resources.limits.cpu=null', ...mem('2Gi'))).to.deep.equal([]);
      expect(workersOf('--set', 'resources.limits.cpu=2', ...mem('1Gi'), '--set', 'workers=1')).to.deep.equal([]);
      expect(at(container, 'image')).to.equal(`crdconv@sha256:${'b'.repeat(64)}`);
      expect(at(findManifest(manifests, 'PodDisruptionBudget'), 'spec')).to.include({ minAvailable: '50%' }).and.not.have.key('maxUnavailable');
      for (const crd of ofKind(manifests, 'CustomResourceDefinition')) expect(at(crd, 'metadata', 'annotations', 'helm.sh/resource-policy')).to.equal(undefined);
      expect(ofKind(render('--set', 'crds.install=false'), 'CustomResourceDefinition')).to.deep.equal([]);
    });

    it('passes flag values that crdconv serve itself parses', async () => {
      const { buildProgram } = (await import('../../src/cli/main.js')) as { buildProgram: () => Promise<Command> };
      const serve = (await buildProgram()).commands.find((c) => c.name() === 'serve') as Command;
      for (const settings of [[], ['--set', 'maxRequestBytes=10485760', '--set', 'logLevel=debug', '--set', 'shutdownGrace=1m30s', '--set', 'shutdownDelay=500ms', '--set', 'convertThreads=0', '--set', 'workers=3', '--set', 'resources.limits.memory=1536Mi']]) {
        const container = at(findManifest(render(...settings), 'Deployment'), 'spec', 'template', 'spec', 'containers', 0);
        for (const arg of (at(container, 'args') as string[]).slice(1)) {
          const [, flag = '', value = ''] = /^(--[a-z-]+)=(.*)$/.exec(arg) ?? [];
          const option = serve.options.find((o) => o.long === flag);
          expect(option, arg).to.not.equal(undefined);
          if (option?.argChoices) expect(option.argChoices, arg).to.include(value);
          expect(() => option?.parseArg?.(value, option.defaultValue), arg).to.not.throw();
        }
      }
    });

    it('names the objects after a release called like the chart, as the generated CRDs expect', () => {
      const manifests = helmTemplate(helm as string, ['crdconv', '--namespace', 'crdconv-system']);
      expect(findManifest(manifests, 'Service').metadata['name']).to.equal('crdconv');
      expect(at(findManifest(manifests, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'image')).to.equal(
        `crdconv:${String((YAML.parse(readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion: string }).appVersion)}`,
      );
    });
  });

  describe('on upgrade: the generated certificate is looked up and kept (helm --dry-run=server against a fake API)', () => {
    const api = new FakeKubeApi();
    let work: string;
    let kubeconfig: string;
    const secretName = `${FULLNAME}-tls`;
    const upgrade = async () => {
      const result = await runHelmAsync(
        helm as string,
        ['template', RELEASE, chartDir, '--namespace', NAMESPACE, '--dry-run=server', '--disable-openapi-validation'],
        { KUBECONFIG: kubeconfig, HELM_CACHE_HOME: work, HELM_CONFIG_HOME: work, HELM_DATA_HOME: work },
      );
      if (result.status !== 0) throw new Error(result.stderr);
      return parseManifests(result.stdout);
    };
    /** The Secret as the first install left it in the cluster: Helm's ownership marks on it. */
    const asInstalled = (secret: Manifest, data: unknown): JsonObject => ({
      ...secret,
      data: data as JsonObject,
      metadata: {
        ...secret.metadata,
        namespace: NAMESPACE,
        annotations: { 'meta.helm.sh/release-name': RELEASE, 'meta.helm.sh/release-namespace': NAMESPACE },
      },
    });
    before(async () => {
      work = mkdtempSync(path.join(tmpdir(), 'crdconv-helm-upgrade-'));
      await api.start();
      kubeconfig = api.writeKubeconfig(work);
    });
    after(async () => {
      await api.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('reuses the CA and serving pair of the existing Secret, in the Secret and every caBundle', async () => {
      const installed = findManifest(render(), 'Secret');
      api.secrets.set(`${NAMESPACE}/${secretName}`, asInstalled(installed, at(installed, 'data')));
      const upgraded = await upgrade();
      expect(api.requests).to.include(`/api/v1/namespaces/${NAMESPACE}/secrets/${secretName}`);
      expect(at(findManifest(upgraded, 'Secret'), 'data')).to.deep.equal(at(installed, 'data'));
      const crds = ofKind(upgraded, 'CustomResourceDefinition');
      expect(crds).to.not.be.empty;
      for (const crd of crds) expect(at(crd, 'spec', 'conversion', 'webhook', 'clientConfig', 'caBundle')).to.equal(at(installed, 'data', 'ca.crt'));
    });

    it('makes a new pair when the Secret lacks one of ca.crt, tls.crt, tls.key', async () => {
      const installed = findManifest(render(), 'Secret');
      const data = { ...(at(installed, 'data') as Record<string, string>) };
      delete data['ca.crt'];
      api.secrets.set(`${NAMESPACE}/${secretName}`, asInstalled(installed, data));
      const upgraded = await upgrade();
      const secret = findManifest(upgraded, 'Secret');
      expect(at(secret, 'data', 'tls.crt')).to.not.equal(data['tls.crt']);
      const ca = new X509Certificate(decode(at(secret, 'data', 'ca.crt')));
      expect(new X509Certificate(decode(at(secret, 'data', 'tls.crt'))).verify(ca.publicKey)).to.equal(true);
      for (const crd of ofKind(upgraded, 'CustomResourceDefinition')) expect(at(crd, 'spec', 'conversion', 'webhook', 'clientConfig', 'caBundle')).to.equal(at(secret, 'data', 'ca.crt'));
    });
  });

  describe('the CRD template on a tricky CRD (fixture, independent of crds/)', () => {
    let chart: string;
    let work: string;
    const fixture = [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  name: gadgets.fixture.example.com',
      '  labels: {team: platform}',
      '  annotations: {note: "kept"}',
      'spec:',
      '  group: fixture.example.com',
      '  names: {kind: Gadget, listKind: GadgetList, plural: gadgets, singular: gadget}',
      '  scope: Namespaced',
      '  versions:',
      '    - name: v1',
      '      served: true',
      '      storage: true',
      '      additionalPrinterColumns:',
      '        - {name: Size, type: integer, jsonPath: .spec.size}',
      '      subresources: {status: {}}',
      '      schema:',
      '        openAPIV3Schema:',
      '          type: object',
      '          properties:',
      '            spec:',
      '              type: object',
      '              required: [mode]',
      '              properties:',
      '                size: {type: integer, format: int64, minimum: -9223372036854775808, maximum: 9223372036854775807}',
      '                ratio: {type: number, multipleOf: 0.5, default: 1.5}',
      '                mode: {type: string, enum: ["on", "off", "yes", "null", "1.0", "0x1F"], default: "on"}',
      '                note: {type: string, description: "a: b # not a comment\\n\\"quoted\\" {{ .Values.x }}"}',
      '                count: {type: integer, format: int32, default: 2147483647}',
      '                any: {x-kubernetes-preserve-unknown-fields: true, type: object}',
      '                port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}',
      '    - name: v2',
      '      served: true',
      '      storage: false',
      '      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}',
      '  conversion:',
      '    strategy: Webhook',
      '    webhook:',
      '      conversionReviewVersions: [v1, v1beta1]',
      '      clientConfig: {service: {name: crdconv, namespace: crdconv-system, path: /convert, port: 443}}',
      '',
    ].join('\n');

    before(() => {
      work = mkdtempSync(path.join(tmpdir(), 'crdconv-chart-'));
      chart = path.join(work, 'crdconv');
      cpSync(chartDir, chart, { recursive: true });
      rmSync(path.join(chart, 'files', 'crds'), { recursive: true, force: true });
      mkdirSync(path.join(chart, 'files', 'crds'), { recursive: true });
      writeFileSync(path.join(chart, 'files', 'crds', 'gadgets.fixture.example.com.yaml'), fixture);
    });
    after(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('keeps every field, string and number of the CRD exactly', () => {
      const result = runHelm(helm as string, ['template', RELEASE, chart, '--namespace', NAMESPACE]);
      expect(result.status, result.stderr).to.equal(0);
      const labels = Object.keys(at(findManifest(renderChart(chart), 'Service'), 'metadata', 'labels') as object);
      const [rendered] = renderedCrdsExact(result.stdout);
      expect(withoutChartChanges(rendered, labels)).to.deep.equal(withoutChartChanges(sourceCrds(path.join(chart, 'files', 'crds'))[0], []));
      expect(at(rendered, 'metadata', 'annotations')).to.deep.equal({ note: 'kept', 'helm.sh/resource-policy': 'keep' });
      expect(at(rendered, 'metadata', 'labels', 'team')).to.equal('platform');
    });

    it('refuses a chart whose files/crds holds something other than a CRD', () => {
      writeFileSync(path.join(chart, 'files', 'crds', 'zz-not-a-crd.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
      const result = runHelm(helm as string, ['template', RELEASE, chart]);
      rmSync(path.join(chart, 'files', 'crds', 'zz-not-a-crd.yaml'));
      expect(result.status).to.not.equal(0);
      expect(result.stderr).to.match(/zz-not-a-crd\.yaml must hold one apiextensions\.k8s\.io\/v1 CustomResourceDefinition/);
    });

    it('refuses to install without CRDs and names the command that makes them', () => {
      rmSync(path.join(chart, 'files', 'crds'), { recursive: true, force: true });
      const result = runHelm(helm as string, ['template', RELEASE, chart]);
      expect(result.status).to.not.equal(0);
      expect(result.stderr).to.match(/npm run crds/);
      expect(runHelm(helm as string, ['template', RELEASE, chart, '--set', 'crds.install=false']).status).to.equal(0);
    });
  });
});
