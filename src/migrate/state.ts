import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import type { CrdInfo } from './crdInfo.js';

const Counts = t.type({ rewritten: t.number, skipped: t.number, failed: t.number, conflicts: t.number });
export type MigrationCounts = t.TypeOf<typeof Counts>;

export const zeroCounts = (): MigrationCounts => ({ rewritten: 0, skipped: 0, failed: 0, conflicts: 0 });

/**
 * What an interrupted run leaves behind so the next one goes on where it stopped. The position is
 * the continue token of the page being worked on plus the key of the last object handled in it:
 * the token may have expired by the time the run resumes, the key never does.
 */
const State = t.intersection([
  t.type({
    version: t.literal(1),
    crd: t.string,
    crdUid: t.string,
    /** The CRD's resourceVersion when the run began: the trim is guarded by it. */
    crdResourceVersion: t.string,
    storageVersion: t.string,
    storedVersionsBefore: t.array(t.string),
    counts: Counts,
    startedAt: t.string,
    updatedAt: t.string,
  }),
  t.partial({ continueToken: t.string, lastKey: t.string }),
]);
export type MigrationState = t.TypeOf<typeof State>;

/** `.crdconv-migrate-<crd>.json` in the current directory. */
export const defaultStateFile = (crdName: string, cwd: string = process.cwd()): string =>
  resolve(cwd, `.crdconv-migrate-${crdName}.json`);

export function freshState(info: CrdInfo, now: Date): MigrationState {
  return {
    version: 1,
    crd: info.name,
    crdUid: info.uid,
    crdResourceVersion: info.resourceVersion,
    storageVersion: info.storageVersion,
    storedVersionsBefore: [...info.storedVersions],
    counts: zeroCounts(),
    startedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/**
 * Why a saved state cannot be resumed against the CRD as it is now, or undefined when it can. Any
 * change to the CRD (even one that keeps the storage version) voids it: the trim at the end is
 * guarded by the CRD's resourceVersion from the start, and would be refused anyway.
 */
export function whyNotResumable(state: MigrationState, info: CrdInfo): string | undefined {
  if (state.crd !== info.name) return `it belongs to CRD ${state.crd}`;
  if (state.crdUid !== info.uid) return 'the CRD was deleted and created again since';
  if (state.storageVersion !== info.storageVersion)
    return `the storage version changed from ${state.storageVersion} to ${info.storageVersion}`;
  if (state.crdResourceVersion !== info.resourceVersion) return 'the CRD changed since that run began';
  return undefined;
}

/** The saved state, or undefined when there is none; a damaged file is an error, not a fresh start. */
export function loadState(path: string): MigrationState | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`state file ${path} is not JSON (${(err as Error).message}); delete it to start over`, {
      cause: err,
    });
  }
  const decoded = State.decode(raw);
  if (isLeft(decoded)) {
    throw new Error(
      `state file ${path} is not a crdconv migrate state (${PathReporter.report(decoded).join('; ')}); delete it to start over`,
    );
  }
  return decoded.right;
}

/** Writes atomically (temporary file, then rename): an interruption never leaves half a file. */
export function saveState(path: string, state: MigrationState): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

export function removeState(path: string): void {
  rmSync(path, { force: true });
}
