import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Real multi-version CRDs of public projects, fetched at test time from the Go module proxy (the
 * projects publish their CRDs in their Go modules) and kept in .cache/crdconv-import/crds (git-ignored),
 * so a second run reads them from disk. Nothing of them is committed.
 */
export interface RealCrd {
  readonly name: string;
  readonly module: string;
  readonly version: string;
  /** Path of the CRD file inside the module. */
  readonly path: string;
}

export const REAL_CRDS: readonly RealCrd[] = [
  {
    name: 'Gateway API HTTPRoute (v1beta1, v1; CEL rules, list maps, defaults)',
    module: 'sigs.k8s.io/gateway-api',
    version: 'v1.6.3',
    path: 'config/crd/standard/gateway.networking.k8s.io_httproutes.yaml',
  },
  {
    name: 'Cluster API KubeadmControlPlane (v1alpha3 to v1beta2; scale subresource)',
    module: 'sigs.k8s.io/cluster-api',
    version: 'v1.11.3',
    path: 'controlplane/kubeadm/config/crd/bases/controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml',
  },
  {
    name: 'Kyverno ClusterPolicy (v1, v2beta1; over 20,000 lines)',
    module: 'github.com/kyverno/kyverno',
    version: 'v1.19.1',
    path: 'config/crds/kyverno/kyverno.io_clusterpolicies.yaml',
  },
];

const run = promisify(execFile);
export const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'crdconv-import', 'crds');

const exists = async (p: string) => (await stat(p).catch(() => undefined)) !== undefined;

/**
 * The CRD's text: from the cache, else downloaded with `go mod download` (and cached). Throws
 * an Error whose message says why when Go or the module proxy is not there.
 */
export async function fetchRealCrd(crd: RealCrd): Promise<string> {
  const cached = join(CACHE, `${crd.module}@${crd.version}`, crd.path);
  if (!(await exists(cached))) {
    let dir: string;
    try {
      const { stdout } = await run('go', ['mod', 'download', '-json', `${crd.module}@${crd.version}`], {
        cwd: tmpdir(),
        env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 240_000,
      });
      const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
      if (!info.Dir) throw new Error(info.Error ?? 'no Dir in the answer');
      dir = info.Dir;
    } catch (e) {
      const err = e as Error & { code?: string; stdout?: string };
      let why = err.code === 'ENOENT' ? 'the go command is not installed' : err.message.trim().split('\n')[0];
      try {
        why = (JSON.parse(err.stdout ?? '') as { Error?: string }).Error ?? why;
      } catch {
        // not JSON: the message above says it
      }
      throw new Error(`cannot get ${crd.module}@${crd.version} from the Go module proxy: ${why}`, { cause: e });
    }
    await mkdir(dirname(cached), { recursive: true });
    await copyFile(join(dir, crd.path), cached);
  }
  return readFile(cached, 'utf8');
}
