import { apiFailure, describeFailure, isConflict } from './apiErrors.js';
import { formatVersions } from './crdInfo.js';
import type { MigrationApi } from './kubeApi.js';

export type TrimResult =
  | { readonly status: 'trimmed'; readonly after: readonly string[] }
  | { readonly status: 'not-needed'; readonly after: readonly string[] }
  | { readonly status: 'crd-changed'; readonly message: string }
  | { readonly status: 'error'; readonly message: string };

export interface TrimGuard {
  readonly crdName: string;
  readonly storageVersion: string;
  /** The CRD's resourceVersion when the run began. */
  readonly resourceVersion: string;
  readonly storedVersionsBefore: readonly string[];
}

/**
 * Sets `status.storedVersions` to exactly `[storageVersion]` once every object was rewritten. The
 * patch carries the CRD's resourceVersion from the start of the run: if the CRD changed meanwhile
 * (say its storage version moved again) objects may have been written in a version this run did not
 * see, so the apiserver's 409 is reported and nothing is trimmed.
 */
export async function trimStoredVersions(
  api: MigrationApi,
  guard: TrimGuard,
  options: { dryRun: boolean },
): Promise<TrimResult> {
  const after = [guard.storageVersion];
  if (guard.storedVersionsBefore.length === 1 && guard.storedVersionsBefore[0] === guard.storageVersion) {
    return { status: 'not-needed', after };
  }
  try {
    await api.setStoredVersions(guard.crdName, after, guard.resourceVersion, options);
    return { status: 'trimmed', after };
  } catch (err) {
    const failure = apiFailure(err);
    if (!isConflict(failure))
      return { status: 'error', message: `patching the CRD status failed: ${describeFailure(failure)}` };
    return { status: 'crd-changed', message: await describeChange(api, guard) };
  }
}

async function describeChange(api: MigrationApi, guard: TrimGuard): Promise<string> {
  const base = `the CRD changed since the run began (resourceVersion ${guard.resourceVersion}`;
  try {
    const crd = await api.readCrd(guard.crdName);
    const storage = crd.spec.versions.find((v) => v.storage)?.name ?? '?';
    return `${base}, now ${crd.metadata?.resourceVersion ?? '?'}; storage version ${storage}, storedVersions ${formatVersions(crd.status?.storedVersions ?? [])})`;
  } catch {
    return `${base})`;
  }
}
