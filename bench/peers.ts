/**
 * The Go anchors of the bench (bench/peers/<name>/, each a Go module of its own): built with the
 * machine's `go` into a git-ignored cache folder, `.cache/bench-peers/`, and rebuilt only when
 * their sources (or the Go version) change: the binary's name carries a hash of both.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const GO_PEERS = ['go-floor', 'controller-runtime'] as const;
export type GoPeer = (typeof GO_PEERS)[number];

export interface PeerBuild {
  readonly binary: string;
  /** Seconds the build took in this run; undefined when the cached binary was used. */
  readonly buildSeconds?: number;
}

export interface PeerBuilds {
  readonly goVersion: string;
  readonly peers: Readonly<Record<GoPeer, PeerBuild>>;
}

/** `go version`, or undefined when there is no usable `go` on the PATH. */
export function goVersion(): string | undefined {
  try {
    const r = spawnSync('go', ['version'], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Every file of a peer's folder, sorted, relative to it. */
function sourceFiles(dir: string, under = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(under).sort()) {
    const path = join(under, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(dir, path));
    else out.push(relative(dir, path));
  }
  return out;
}

/** What identifies a build: the Go version and every source file's name and content. */
export function sourceHash(dir: string, go: string): string {
  const hash = createHash('sha256').update(go).update('\0');
  for (const file of sourceFiles(dir))
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(dir, file)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds (or finds built) every Go peer. Throws with go's output when a build fails; returns
 * undefined (and says why through `progress`) when there is no `go`.
 */
export function buildPeers(root: string, progress: (line: string) => void): PeerBuilds | undefined {
  const go = goVersion();
  if (!go) {
    progress('no `go` on the PATH: the Go peers (go-floor, controller-runtime) are left out of this run');
    return undefined;
  }
  const cache = join(root, '.cache', 'bench-peers');
  mkdirSync(cache, { recursive: true });
  const peers = {} as Record<GoPeer, PeerBuild>;
  for (const name of GO_PEERS) {
    const dir = join(root, 'bench', 'peers', name);
    const binary = join(cache, `${name}-${sourceHash(dir, go)}`);
    if (existsSync(binary)) {
      peers[name] = { binary };
      continue;
    }
    progress(`building the Go peer ${name} (${go}) into ${relative(root, binary)}`);
    const started = performance.now();
    const partial = `${binary}.partial`;
    const r = spawnSync('go', ['build', '-trimpath', '-o', partial, '.'], {
      cwd: dir,
      encoding: 'utf8',
      // go.sum is committed: the build must not change it.
      env: { ...process.env, GOFLAGS: '-mod=readonly' },
    });
    if (r.status !== 0) {
      rmSync(partial, { force: true });
      throw new Error(`go build of bench/peers/${name} failed (exit ${String(r.status)}):\n${r.stderr || r.stdout}`);
    }
    renameSync(partial, binary);
    // Older builds of the same peer are of no further use.
    for (const f of readdirSync(cache))
      if (f.startsWith(`${name}-`) && join(cache, f) !== binary) rmSync(join(cache, f), { force: true });
    const buildSeconds = (performance.now() - started) / 1000;
    progress(`built ${name} in ${buildSeconds.toFixed(1)} s`);
    peers[name] = { binary, buildSeconds };
  }
  return { goVersion: go, peers };
}
