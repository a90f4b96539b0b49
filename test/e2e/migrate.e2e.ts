/**
 * `crdconv migrate` and `crdconv check` against the real apiserver: a storage version switch,
 * every object rewritten while others are created and deleted, status.storedVersions trimmed
 * (proved by reading etcd itself); check on a healthy CRD and on broken ones.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../support/cli.js';
import {
  applyChartCrds,
  applyObject,
  e2e,
  freshNamespace,
  routeServiceTo,
  untilRead,
  waitEstablished,
} from './support/env.js';
import { metadataOf, type Obj } from './support/kube.js';

const CRD = 'backends.stable.example.com';
const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD}`;

/** The storage version of an object as etcd holds it (the apiserver stores custom resources as JSON). */
async function storedApiVersion(ns: string, name: string): Promise<string | undefined> {
  const { cluster } = e2e();
  const key = Buffer.from(`/registry/stable.example.com/backends/${ns}/${name}`).toString('base64');
  const res = await fetch(`${cluster.etcdUrl}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key }) });
  const body = (await res.json()) as { kvs?: { value: string }[] };
  const value = body.kvs?.[0]?.value;
  if (!value) return undefined;
  return (JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as { apiVersion: string }).apiVersion;
}

/** The chart's Backend CRD with another storage version. */
function withStorage(storage: string): Obj {
  const crd = structuredClone(e2e().crds.get(CRD)!) as Obj;
  for (const v of (crd['spec'] as Obj)['versions'] as Obj[]) v['storage'] = v['name'] === storage;
  return crd;
}

const storedVersions = async (): Promise<string[]> =>
  ((await e2e().kube.get(crdPath))['status'] as Obj)['storedVersions'] as string[];

const cli = (args: string[]) => runCli([...args, '--kubeconfig', e2e().cluster.kubeconfig]);

describe('crdconv migrate against the real apiserver', () => {
  let ns: string;
  before(async () => {
    const env = e2e();
    await applyChartCrds(env);
    await routeServiceTo(env.kube, env.webhook.port);
    ns = await freshNamespace(env.kube, 'migrate');
  });
  after(async () => {
    await applyChartCrds(e2e());
  });

  it('after a storage switch v1 -> v2, rewrites every object (with creates and deletes running) and trims storedVersions to [v2]', async function () {
    this.timeout(300_000);
    const { kube } = e2e();
    const path = `/apis/stable.example.com/v1/namespaces/${ns}/backends`;
    const N = 120;
    for (let i = 0; i < N; i++) {
      const v = i % 2 ? 'v1' : 'v2';
      const body = v === 'v1' ? { hostPort: `host-${i}:${i}` } : { host: `host-${i}`, port: String(i) };
      await kube.create(`/apis/stable.example.com/${v}/namespaces/${ns}/backends`, {
        apiVersion: `stable.example.com/${v}`,
        kind: 'Backend',
        metadata: { name: `obj-${String(i).padStart(3, '0')}` },
        ...body,
      });
    }
    expect(await storedApiVersion(ns, 'obj-000')).to.equal('stable.example.com/v1');

    await applyObject(kube, withStorage('v2'));
    await waitEstablished(kube, CRD);
    // The apiserver adds the new storage version once it serves it.
    for (let i = 0; i < 50 && (await storedVersions()).join() !== 'v1,v2'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await storedVersions()).to.deep.equal(['v1', 'v2']);

    const stateDir = await mkdtemp(join(tmpdir(), 'crdconv-e2e-migrate-'));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'migrate',
        '--crd',
        CRD,
        '--kubeconfig',
        e2e().cluster.kubeconfig,
        '--page-size',
        '10',
        '--qps',
        '40',
        '--progress',
        'json',
        '--output',
        'json',
        '--state-file',
        join(stateDir, 'state.json'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let running = true;
    void exited.then(() => (running = false));

    // While it runs: new objects (stored in v2 at once) and deletions of old ones.
    const created: string[] = [];
    const deleted: string[] = [];
    for (let i = 0; running && i < 40; i++) {
      const name = `late-${i}`;
      await kube.create(path, {
        apiVersion: 'stable.example.com/v1',
        kind: 'Backend',
        metadata: { name },
        hostPort: `late:${i}`,
      });
      created.push(name);
      const victim = `obj-${String(N - 1 - 2 * i).padStart(3, '0')}`;
      await kube.delete(`${path}/${victim}`);
      deleted.push(victim);
      await new Promise((r) => setTimeout(r, 50));
    }
    const code = await exited;
    expect(code, `migrate exited ${String(code)}:\n${stderr.slice(-3000)}`).to.equal(0);
    const summary = JSON.parse(stdout) as {
      end: string;
      counts: { rewritten: number; skipped: number; failed: number };
      storedVersionsAfter: string[];
    };
    expect(summary.end).to.equal('completed');
    expect(summary.counts.failed).to.equal(0);
    expect(summary.storedVersionsAfter).to.deep.equal(['v2']);
    expect(deleted.length, 'deletions happened while migrate ran').to.be.greaterThan(0);
    expect(await storedVersions()).to.deep.equal(['v2']);

    const list = await kube.get(path);
    const names = (list['items'] as Obj[]).map((o) => String(metadataOf(o)['name']));
    expect(names).to.have.length(N - deleted.length + created.length);
    for (const name of names) expect(await storedApiVersion(ns, name), name).to.equal('stable.example.com/v2');
    // Content survived the rewrite exactly (read at v1, as written).
    const first = await kube.get(`${path}/obj-001`);
    expect(first['hostPort']).to.equal('host-1:1');
  });

  it("switching back to v1 and migrating again leaves storedVersions [v1] (the chart's CRD as rendered)", async function () {
    this.timeout(300_000);
    const { kube } = e2e();
    await applyChartCrds(e2e());
    for (let i = 0; i < 50 && (await storedVersions()).join() !== 'v2,v1'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await storedVersions()).to.deep.equal(['v2', 'v1']);
    const stateDir = await mkdtemp(join(tmpdir(), 'crdconv-e2e-migrate-'));
    const result = await cli([
      'migrate',
      '--crd',
      CRD,
      '--qps',
      '100',
      '--progress',
      'none',
      '--state-file',
      join(stateDir, 's.json'),
    ]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('storedVersions: [v2, v1] -> [v1]');
    expect(await storedVersions()).to.deep.equal(['v1']);
    expect(await storedApiVersion(ns, 'obj-000')).to.equal('stable.example.com/v1');
    void kube;
  });
});

describe('crdconv check against the real apiserver', () => {
  let ns: string;
  before(async () => {
    const env = e2e();
    await applyChartCrds(env);
    await routeServiceTo(env.kube, env.webhook.port);
    ns = await freshNamespace(env.kube, 'check');
    await env.kube.create(`/apis/stable.example.com/v1/namespaces/${ns}/backends`, {
      apiVersion: 'stable.example.com/v1',
      kind: 'Backend',
      metadata: { name: 'probe' },
      hostPort: 'probe:1',
    });
  });
  const probePath = () => `/apis/stable.example.com/v2/namespaces/${ns}/backends/probe`;
  afterEach(async () => {
    const env = e2e();
    await applyChartCrds(env);
    await routeServiceTo(env.kube, env.webhook.port);
    await untilRead(env.kube, probePath(), (status) => status === 200);
  });
  /** Waits until the apiserver's reads fail the way the test broke them. */
  const untilBroken = () => untilRead(e2e().kube, probePath(), (status) => status === 500);

  type Finding = { level: string; message: string };
  const check = async (): Promise<{ code: number | null; findings: Finding[]; stderr: string }> => {
    const r = await cli(['check', '--crd', CRD, '--output', 'json']);
    return { code: r.code, findings: JSON.parse(r.stdout) as Finding[], stderr: r.stderr };
  };
  const problems = (f: Finding[]) => f.filter((x) => x.level === 'problem').map((x) => x.message);

  it("reports the chart's CRD with a running webhook as healthy, having read through the webhook", async () => {
    const r = await check();
    expect(problems(r.findings), JSON.stringify(r.findings, null, 1)).to.deep.equal([]);
    expect(r.code).to.equal(0);
    expect(
      r.findings
        .filter((f) => f.level === 'ok')
        .map((f) => f.message)
        .join('\n'),
    ).to.match(/v2/);
  });

  it('reports a CRD without caBundle: the bundle is missing and reads fail on the certificate', async () => {
    const { kube } = e2e();
    await kube.jsonPatch(crdPath, [{ op: 'remove', path: '/spec/conversion/webhook/clientConfig/caBundle' }]);
    await waitEstablished(kube, CRD);
    await untilBroken();
    const r = await check();
    expect(r.code).to.equal(1);
    const text = problems(r.findings).join('\n');
    expect(text).to.match(/caBundle/);
    expect(text).to.match(
      /reading backends\.stable\.example\.com at v2 failed: HTTP 500 .*conversion webhook for stable\.example\.com\/v1, Kind=Backend failed: .*x509: certificate signed by unknown authority/,
    );
  });

  it("reports a webhook that is down: reads fail with the apiserver's connection error", async () => {
    const { kube } = e2e();
    await routeServiceTo(kube, 1); // nothing listens on port 1
    await untilBroken();
    const r = await check();
    expect(r.code).to.equal(1);
    expect(problems(r.findings).join('\n')).to.match(
      /reading backends\.stable\.example\.com at v2 failed: HTTP 500 .*connection refused/,
    );
  });

  it("reports a version missing from the cluster's CRD", async () => {
    const { kube } = e2e();
    const crd = structuredClone(e2e().crds.get(CRD)!) as Obj;
    (crd['spec'] as Obj)['versions'] = ((crd['spec'] as Obj)['versions'] as Obj[]).filter((v) => v['name'] !== 'v2');
    // Delete and recreate would delete the objects; replace the versions list instead.
    const live = await kube.get(crdPath);
    (live['spec'] as Obj)['versions'] = (crd['spec'] as Obj)['versions'];
    await kube.put(crdPath, live);
    await untilRead(kube, probePath(), (status) => status === 404);
    const r = await check();
    expect(r.code).to.equal(1);
    expect(problems(r.findings).join('\n')).to.match(/v2/);
  });
});
