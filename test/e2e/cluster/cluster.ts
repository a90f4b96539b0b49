/**
 * A real control plane for the end-to-end suite: etcd and kube-apiserver built from the Go module
 * in this folder (go.mod pins the versions), started on loopback ports with their own
 * certificates and an admin client certificate, the way controller-runtime's envtest runs them.
 *
 * Binaries are cached in `.cache/e2e-bin/<kubernetes>-<etcd>/` (git-ignored); the running
 * cluster's state (certificates, etcd data, logs, pids, kubeconfig) lives in
 * `.cache/e2e-cluster/` until `down`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, closeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createControlPlanePki, type ControlPlanePki } from './pki.js';

export const clusterModuleDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(clusterModuleDir, '..', '..', '..');

const log = (msg: string): void => {
  process.stderr.write(`cluster: ${msg}\n`);
};

export interface PinnedVersions {
  readonly kubernetes: string;
  readonly etcd: string;
}

/** The versions go.mod pins: the control plane the suite runs against. */
export function pinnedVersions(): PinnedVersions {
  const goMod = readFileSync(join(clusterModuleDir, 'go.mod'), 'utf8');
  const find = (module: string): string => {
    const match = new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[./]/g, '\\$&')}\\s+(v\\S+)`, 'm').exec(goMod);
    if (!match?.[1]) throw new Error(`go.mod in ${clusterModuleDir} does not require ${module}`);
    return match[1];
  };
  return { kubernetes: find('k8s.io/kubernetes'), etcd: find('go.etcd.io/etcd/server/v3') };
}

export function binDir(versions = pinnedVersions()): string {
  return (
    process.env['CRDCONV_E2E_BIN_DIR'] ??
    join(repoRoot, '.cache', 'e2e-bin', `kubernetes-${versions.kubernetes}-etcd-${versions.etcd}`)
  );
}

export function stateDir(): string {
  return process.env['CRDCONV_E2E_CLUSTER_DIR'] ?? join(repoRoot, '.cache', 'e2e-cluster');
}

export interface Binaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
}

/** Builds whichever binary is missing (`go build`, minutes on 2 cores the first time); returns their paths. */
export function ensureBinaries(): Binaries {
  const versions = pinnedVersions();
  const dir = binDir(versions);
  const bins = { kubeApiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd') };
  const minor = /^v(\d+)\.(\d+)\./.exec(versions.kubernetes);
  const targets: { name: string; out: string; pkg: string; ldflags: string }[] = [
    {
      name: 'kube-apiserver',
      out: bins.kubeApiserver,
      pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
      // What the Kubernetes release build stamps in, so that /version tells the truth.
      ldflags: [
        '-s -w',
        `-X k8s.io/component-base/version.gitVersion=${versions.kubernetes}`,
        `-X k8s.io/component-base/version.gitMajor=${minor?.[1] ?? ''}`,
        `-X k8s.io/component-base/version.gitMinor=${minor?.[2] ?? ''}`,
        '-X k8s.io/component-base/version.gitTreeState=clean',
      ].join(' '),
    },
    { name: 'etcd', out: bins.etcd, pkg: './etcd', ldflags: '-s -w' },
  ];
  for (const target of targets) {
    if (existsSync(target.out)) continue;
    spawnSync('mkdir', ['-p', dir]);
    log(`building ${target.name} (${target.pkg}) into ${dir}; the first build takes many minutes on 2 cores`);
    const started = Date.now();
    const tmp = `${target.out}.partial-${process.pid}`;
    const result = spawnSync('go', ['build', '-trimpath', '-ldflags', target.ldflags, '-o', tmp, target.pkg], {
      cwd: clusterModuleDir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) {
      spawnSync('rm', ['-f', tmp]);
      throw new Error(`go build ${target.pkg} failed (${result.error?.message ?? `exit ${String(result.status)}`})`);
    }
    spawnSync('mv', [tmp, target.out]);
    log(`built ${target.name} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  return bins;
}

export interface ClusterState {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly server: string;
  readonly caFile: string;
  readonly adminCertFile: string;
  readonly adminKeyFile: string;
  readonly etcdUrl: string;
  readonly versions: PinnedVersions;
  readonly pids: { readonly etcd: number; readonly kubeApiserver: number };
  readonly logs: { readonly etcd: string; readonly kubeApiserver: string };
  readonly startedAt: string;
}

const stateFile = (dir: string): string => join(dir, 'state.json');

export async function readState(dir = stateDir()): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dir), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address) resolvePort(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

interface Probe {
  readonly status: number;
  readonly body: string;
}

/** One GET to the apiserver with the admin certificate. */
export function apiserverGet(
  state: Pick<ClusterState, 'server' | 'caFile' | 'adminCertFile' | 'adminKeyFile'>,
  path: string,
  timeoutMs = 5000,
): Promise<Probe> {
  return new Promise((resolveProbe, reject) => {
    const url = new URL(path, state.server);
    const req = httpsRequest(
      url,
      {
        ca: readFileSync(state.caFile),
        cert: readFileSync(state.adminCertFile),
        key: readFileSync(state.adminKeyFile),
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolveProbe({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function httpGet(url: string, timeoutMs = 2000): Promise<Probe> {
  return new Promise((resolveProbe, reject) => {
    const req = httpRequest(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveProbe({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

const tail = (file: string, lines = 30): string => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};

async function waitFor(
  what: string,
  pid: number,
  logFile: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive(pid)) throw new Error(`${what} exited during start-up; the end of ${logFile}:\n${tail(logFile)}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} not ready after ${timeoutMs / 1000} s; the end of ${logFile}:\n${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts a process in its own process group, detached from ours, its output appended to `logFile`. */
function startDetached(binary: string, args: readonly string[], logFile: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd], cwd: dirname(logFile) });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${binary}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Is the cluster of this state directory running and ready? */
export async function isReady(state: ClusterState): Promise<boolean> {
  if (!alive(state.pids.etcd) || !alive(state.pids.kubeApiserver)) return false;
  try {
    const probe = await apiserverGet(state, '/readyz', 3000);
    return probe.status === 200;
  } catch {
    return false;
  }
}

function kubeconfigYaml(server: string, pki: ControlPlanePki): string {
  const b64 = (file: string): string => readFileSync(file).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: crdconv-e2e',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caFile)}`,
    'users:',
    '- name: crdconv-e2e-admin',
    '  user:',
    `    client-certificate-data: ${b64(pki.adminCertFile)}`,
    `    client-key-data: ${b64(pki.adminKeyFile)}`,
    'contexts:',
    '- name: crdconv-e2e',
    '  context:',
    '    cluster: crdconv-e2e',
    '    user: crdconv-e2e-admin',
    '    namespace: default',
    'current-context: crdconv-e2e',
    '',
  ].join('\n');
}

/**
 * Brings the cluster up (or finds it already up) and returns its state. Builds missing binaries
 * first. Both processes keep running after this process exits; `down` stops them.
 */
export async function up(dir = stateDir()): Promise<ClusterState> {
  const existing = await readState(dir);
  if (existing) {
    if (await isReady(existing)) {
      log(
        `already running (kube-apiserver ${existing.server}, pids ${existing.pids.etcd}/${existing.pids.kubeApiserver})`,
      );
      return existing;
    }
    log('a previous cluster in this state directory is not ready: stopping it and starting anew');
    await down(dir);
  }
  const bins = ensureBinaries();
  const versions = pinnedVersions();
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'etcd-data'), { recursive: true, mode: 0o700 });
  const started = Date.now();
  const pki = await createControlPlanePki(join(dir, 'pki'));
  const logs = { etcd: join(dir, 'etcd.log'), kubeApiserver: join(dir, 'kube-apiserver.log') };

  const [etcdClientPort, etcdPeerPort, apiserverPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
  const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
  const etcdPid = startDetached(
    bins.etcd,
    [
      '--name=crdconv-e2e',
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=crdconv-e2e=${peerUrl}`,
      // A throw-away test store: durability is not the point, speed on a small disk is.
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
    logs.etcd,
  );
  // Recorded at once, so that `down` can stop what started even if the rest fails.
  const partial = { dir, pids: { etcd: etcdPid, kubeApiserver: 0 } };
  await writeFile(stateFile(dir), JSON.stringify(partial));
  try {
    await waitFor(
      'etcd',
      etcdPid,
      logs.etcd,
      async () => (await httpGet(`${etcdUrl}/health`)).body.includes('"health":"true"'),
      60_000,
    );

    const server = `https://127.0.0.1:${apiserverPort}`;
    const apiserverPid = startDetached(
      bins.kubeApiserver,
      [
        '--advertise-address=127.0.0.1',
        '--bind-address=127.0.0.1',
        `--secure-port=${apiserverPort}`,
        `--etcd-servers=${etcdUrl}`,
        `--cert-dir=${pki.dir}`,
        `--tls-cert-file=${pki.servingCertFile}`,
        `--tls-private-key-file=${pki.servingKeyFile}`,
        `--client-ca-file=${pki.caFile}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        `--service-account-issuer=${server}`,
        `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
        `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
        '--authorization-mode=RBAC',
        // No controller-manager makes default service accounts here (envtest does the same).
        '--disable-admission-plugins=ServiceAccount',
        // Webhooks named by a Service reach an endpoint of its EndpointSlices rather than its
        // ClusterIP (no kube-proxy here): see docs/testing-e2e.md.
        '--enable-aggregator-routing=true',
        // The apiserver would publish its own loopback address as the endpoint of the
        // `kubernetes` Service, which validation refuses; nothing here needs that endpoint.
        '--endpoint-reconciler-type=none',
        '--profiling=false',
        '--v=1',
      ],
      logs.kubeApiserver,
    );
    partial.pids.kubeApiserver = apiserverPid;
    await writeFile(stateFile(dir), JSON.stringify(partial));
    const probeTarget = {
      server,
      caFile: pki.caFile,
      adminCertFile: pki.adminCertFile,
      adminKeyFile: pki.adminKeyFile,
    };
    await waitFor(
      'kube-apiserver',
      apiserverPid,
      logs.kubeApiserver,
      async () => (await apiserverGet(probeTarget, '/readyz', 3000)).status === 200,
      180_000,
    );
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(server, pki), { mode: 0o600 });
    const state: ClusterState = {
      dir,
      kubeconfig,
      server,
      caFile: pki.caFile,
      adminCertFile: pki.adminCertFile,
      adminKeyFile: pki.adminKeyFile,
      etcdUrl,
      versions,
      pids: { etcd: etcdPid, kubeApiserver: apiserverPid },
      logs,
      startedAt: new Date().toISOString(),
    };
    const tmp = `${stateFile(dir)}.tmp`;
    await writeFile(tmp, JSON.stringify(state, null, 2));
    await rename(tmp, stateFile(dir));
    log(
      `kube-apiserver ${versions.kubernetes} and etcd ${versions.etcd} ready at ${server} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return state;
  } catch (e) {
    await down(dir);
    throw e;
  }
}

async function stop(pid: number, what: string): Promise<void> {
  if (!pid || !alive(pid)) return;
  // Started detached: the pid is its own process group's leader.
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 20_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) {
    log(`${what} (pid ${pid}) did not stop within 20 s: killing it`);
    signal('SIGKILL');
  }
}

/** Stops the cluster of this state directory and removes the directory. */
export async function down(dir = stateDir()): Promise<void> {
  const state = (await readState(dir)) as Partial<ClusterState> | undefined;
  if (state?.pids) {
    await stop(state.pids.kubeApiserver, 'kube-apiserver');
    await stop(state.pids.etcd, 'etcd');
  }
  await rm(dir, { recursive: true, force: true });
}
