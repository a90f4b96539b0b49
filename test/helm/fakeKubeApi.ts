// Just enough of a Kubernetes API for `helm template --dry-run=server`, so that the chart's
// `lookup` of its certificate Secret can be tested without a cluster: discovery for the kinds the
// chart renders, GET of one stored Secret, 404 for everything else. Plain HTTP on 127.0.0.1.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { HelmResult, JsonObject } from './chart.js';

type Resource = [plural: string, kind: string, namespaced: boolean];

/** group -> version -> resources: the kinds the chart renders in its default modes. */
const DISCOVERY: Record<string, Record<string, Resource[]>> = {
  '': { v1: [['services', 'Service', true], ['serviceaccounts', 'ServiceAccount', true], ['secrets', 'Secret', true]] },
  apps: { v1: [['deployments', 'Deployment', true]] },
  policy: { v1: [['poddisruptionbudgets', 'PodDisruptionBudget', true]] },
  'apiextensions.k8s.io': { v1: [['customresourcedefinitions', 'CustomResourceDefinition', false]] },
};

const resourceList = (groupVersion: string, resources: Resource[]) => ({
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion,
  resources: resources.map(([name, kind, namespaced]) => ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] })),
});

const groupList = () => ({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: Object.entries(DISCOVERY)
    .filter(([group]) => group !== '')
    .map(([name, versions]) => ({
      name,
      versions: Object.keys(versions).map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
    })),
});

const notFound = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' };

export class FakeKubeApi {
  /** Secrets the API holds, by `namespace/name`. */
  readonly secrets = new Map<string, JsonObject>();
  /** Paths requested, for assertions about what helm looked up. */
  readonly requests: string[] = [];
  private server: Server | undefined;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      this.requests.push(url.pathname);
      const [status, body] = this.answer(url.pathname);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** Writes a kubeconfig for this server into `dir` and returns its path. */
  writeKubeconfig(dir: string): string {
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: fake, cluster: {server: "${this.url}"}}]`,
        'users: [{name: fake, user: {token: fake}}]',
        'contexts: [{name: fake, context: {cluster: fake, user: fake}}]',
        'current-context: fake',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    return file;
  }

  private answer(pathname: string): [number, unknown] {
    if (pathname === '/version') return [200, { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' }];
    if (pathname === '/api') return [200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }];
    if (pathname === '/apis') return [200, groupList()];
    if (pathname === '/api/v1') return [200, resourceList('v1', DISCOVERY['']?.['v1'] ?? [])];
    const group = /^\/apis\/([^/]+)\/([^/]+)$/.exec(pathname);
    const resources = group ? DISCOVERY[group[1] as string]?.[group[2] as string] : undefined;
    if (group && resources) return [200, resourceList(`${group[1]}/${group[2]}`, resources)];
    const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(pathname);
    const stored = secret ? this.secrets.get(`${secret[1]}/${secret[2]}`) : undefined;
    return stored ? [200, stored] : [404, notFound];
  }
}

/** Runs helm without blocking the event loop (the fake API answers from this process). */
export function runHelmAsync(helm: string, args: string[], env: Record<string, string> = {}): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(helm, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
