/**
 * The end-to-end environment, made once per mocha run (test/e2e/hooks.ts): the real control plane,
 * the Helm chart rendered by the pinned helm, `crdconv serve` started as a process with the chart's
 * serving certificate, and the chart's objects applied so that the CRDs' `service` reference
 * reaches that process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { helmTemplate, type Manifest } from '../../helm/chart.js';
import { spawnServe } from '../../support/serve.js';
import type { LogEntry } from '../../support/service.js';
import { repoRoot, up, down, readState, isReady, type ClusterState } from '../cluster/cluster.js';
import { Kube, KubeError, eventually, type Obj } from './kube.js';

export const RELEASE = 'crdconv';
export const NAMESPACE = 'crdconv-system';
export const SERVICE = 'crdconv';

export interface Webhook {
  readonly child: ChildProcess;
  readonly port: number;
  readonly logs: LogEntry[];
  readonly exited: Promise<unknown>;
  readonly certDir: string;
}

export interface E2E {
  readonly cluster: ClusterState;
  readonly kube: Kube;
  readonly chart: Manifest[];
  /** The CRDs as the chart renders them, by name. */
  readonly crds: Map<string, Manifest>;
  /** The chart's caBundle (base64 PEM), the CA of the chart's serving certificate. */
  readonly caBundle: string;
  webhook: Webhook;
  /** Whether this run started the cluster (and so stops it at the end). */
  readonly startedCluster: boolean;
}

let current: E2E | undefined;

export function e2e(): E2E {
  if (!current) throw new Error('the e2e environment is not set up (run through `npm run test:e2e`)');
  return current;
}

function findHelmBinary(): string {
  const fromEnv = process.env['HELM'];
  if (fromEnv) return fromEnv;
  const probe = spawnSync('helm', ['version', '--short'], { encoding: 'utf8' });
  if (probe.status === 0) return 'helm';
  const fetched = spawnSync('bash', [join(repoRoot, 'helm', 'tools', 'fetch-helm.sh')], { encoding: 'utf8' });
  if (fetched.status !== 0) throw new Error(`no helm binary: helm/tools/fetch-helm.sh failed:\n${fetched.stderr}`);
  return fetched.stdout.trim();
}

/** Starts `crdconv serve` with the chart's certificate (the pair the chart's Secret holds). */
export async function startWebhook(certDir: string, extraArgs: readonly string[] = []): Promise<Webhook> {
  const devDir = await mkdtemp(join(tmpdir(), 'crdconv-e2e-dev-'));
  const served = await spawnServe(devDir, ['--cert-dir', certDir, ...extraArgs]);
  return { child: served.child, port: served.port, logs: served.logs, exited: served.exited, certDir };
}

export async function stopWebhook(webhook: Webhook): Promise<void> {
  if (webhook.child.exitCode === null && webhook.child.signalCode === null) {
    webhook.child.kill('SIGTERM');
    await webhook.exited;
  }
}

/** Creates an object, or replaces it by server-side apply when it exists. */
export async function applyObject(kube: Kube, manifest: Obj): Promise<Obj> {
  const path = objectPath(manifest);
  return kube.apply(path, manifest, 'crdconv-e2e', true);
}

const PLURALS: Record<string, string> = {
  Namespace: 'namespaces',
  Service: 'services',
  Secret: 'secrets',
  ServiceAccount: 'serviceaccounts',
  EndpointSlice: 'endpointslices',
  CustomResourceDefinition: 'customresourcedefinitions',
};

export function objectPath(manifest: Obj): string {
  const apiVersion = String(manifest['apiVersion']);
  const kind = String(manifest['kind']);
  const meta = manifest['metadata'] as Obj;
  const plural = PLURALS[kind];
  if (!plural) throw new Error(`no path known for kind ${kind}`);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = typeof meta['namespace'] === 'string' ? `/namespaces/${meta['namespace']}` : '';
  return `${base}${ns}/${plural}/${String(meta['name'])}`;
}

/**
 * The EndpointSlice that an EndpointSlice controller would write for the chart's Service if the
 * webhook ran in a pod: here it names the local `crdconv serve` process. Loopback IPs are refused
 * in IPv4/IPv6 slices (they may not be in 127.0.0.0/8), so the slice is of address type FQDN, whose
 * addresses are only checked as domain names; the apiserver (with --enable-aggregator-routing)
 * dials the address as given. Several addresses stand for several pods, one endpoint each.
 */
export function localEndpointSlice(port: number, addresses: readonly string[] = ['127.0.0.1']): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${SERVICE}-local`,
      namespace: NAMESPACE,
      labels: { 'kubernetes.io/service-name': SERVICE, 'endpointslice.kubernetes.io/managed-by': 'crdconv-e2e' },
    },
    addressType: 'FQDN',
    endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
}

/** Points the chart's Service at a webhook port (the EndpointSlice). */
export async function routeServiceTo(kube: Kube, port: number): Promise<void> {
  await applyObject(kube, localEndpointSlice(port));
}

export async function waitEstablished(kube: Kube, name: string, timeoutMs = 30_000): Promise<Obj> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await kube.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    const conditions = ((crd['status'] as Obj | undefined)?.['conditions'] ?? []) as Obj[];
    if (conditions.some((c) => c['type'] === 'Established' && c['status'] === 'True')) return crd;
    if (Date.now() > deadline) throw new Error(`CRD ${name} not Established: ${JSON.stringify(conditions)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Puts the CRDs exactly as the chart renders them (created, or replaced whole with PUT so that
 * nothing a test changed survives) and waits until each is served.
 */
export async function applyChartCrds(env: E2E): Promise<void> {
  for (const [name, crd] of env.crds) {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`;
    const live = await env.kube.raw('GET', path);
    if (live.status === 404) await env.kube.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    else {
      const resourceVersion = (JSON.parse(live.text) as { metadata: { resourceVersion: string } }).metadata
        .resourceVersion;
      await env.kube.put(path, { ...crd, metadata: { ...crd.metadata, resourceVersion } });
    }
  }
  for (const name of env.crds.keys()) await waitEstablished(env.kube, name);
}

/**
 * Waits until a read of `path` (a non-storage version, so that it goes through the webhook) gets
 * an answer `accept` takes: changes of CRDs and EndpointSlices take a moment to reach the handlers.
 */
export async function untilRead(
  kube: Kube,
  path: string,
  accept: (status: number, text: string) => boolean,
  timeoutMs = 30_000,
): Promise<{ status: number; text: string }> {
  return eventually(
    `GET ${path}`,
    async () => {
      const res = await kube.raw('GET', path);
      return accept(res.status, res.text) ? { status: res.status, text: res.text } : undefined;
    },
    timeoutMs,
  );
}

export async function setUp(): Promise<E2E> {
  let cluster = process.env['CRDCONV_E2E_CLUSTER_DIR'] ? await readState() : await readState();
  let startedCluster = false;
  if (!cluster || !(await isReady(cluster))) {
    cluster = await up();
    startedCluster = true;
  }
  const kube = new Kube(cluster);
  const helm = findHelmBinary();
  const chart = helmTemplate(helm, [RELEASE, '--namespace', NAMESPACE]);
  const crds = new Map(
    chart.filter((m) => m.kind === 'CustomResourceDefinition').map((m) => [String(m.metadata['name']), m] as const),
  );
  const secret = chart.find((m) => m.kind === 'Secret' && String(m.metadata['name']).endsWith('-tls'));
  if (!secret) throw new Error('the chart rendered no TLS Secret');
  const data = secret['data'] as Record<string, string>;
  const certDir = await mkdtemp(join(tmpdir(), 'crdconv-e2e-tls-'));
  for (const file of ['tls.crt', 'tls.key', 'ca.crt']) {
    await writeFile(join(certDir, file), Buffer.from(data[file]!, 'base64'), { mode: 0o600 });
  }
  const webhook = await startWebhook(certDir);

  await applyObject(kube, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  for (const kind of ['ServiceAccount', 'Secret', 'Service']) {
    for (const m of chart.filter((x) => x.kind === kind)) await applyObject(kube, m);
  }
  await routeServiceTo(kube, webhook.port);
  current = { cluster, kube, chart, crds, caBundle: data['ca.crt']!, webhook, startedCluster };
  await applyChartCrds(current);
  return current;
}

export async function tearDown(): Promise<void> {
  const env = current;
  current = undefined;
  if (!env) return;
  await stopWebhook(env.webhook);
  if (env.startedCluster && process.env['CRDCONV_E2E_KEEP_CLUSTER'] !== '1') await down(env.cluster.dir);
}

/** A fresh namespace for a test file (namespaces are never deleted: no namespace controller runs here). */
export async function freshNamespace(kube: Kube, prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await kube.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

export { KubeError };
