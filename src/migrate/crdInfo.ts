import type { V1CustomResourceDefinition } from '@kubernetes/client-node';

/** What a migration needs to know about a CRD, read once at the start of a run. */
export interface CrdInfo {
  readonly name: string;
  readonly uid: string;
  /** The CRD's resourceVersion when read: the guard for trimming storedVersions. */
  readonly resourceVersion: string;
  readonly group: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** The one version new writes are stored in. */
  readonly storageVersion: string;
  readonly servedVersions: readonly string[];
  /** `status.storedVersions`: every version objects may still be stored in. */
  readonly storedVersions: readonly string[];
}

/** Extracts the migration's view of a CRD; throws when the CRD has no usable storage version. */
export function crdInfo(crd: V1CustomResourceDefinition): CrdInfo {
  const name = crd.metadata?.name ?? '';
  const versions = crd.spec.versions ?? [];
  const storage = versions.filter((v) => v.storage);
  if (storage.length !== 1 || storage[0] === undefined) {
    throw new Error(`CRD ${name} has ${storage.length} storage versions; expected exactly one`);
  }
  if (!storage[0].served) {
    // Listing and rewriting go through the storage version: it has to be served.
    throw new Error(
      `CRD ${name}: the storage version ${storage[0].name} is not served, so its objects cannot be listed`,
    );
  }
  return {
    name,
    uid: crd.metadata?.uid ?? '',
    resourceVersion: crd.metadata?.resourceVersion ?? '',
    group: crd.spec.group,
    plural: crd.spec.names.plural,
    kind: crd.spec.names.kind,
    namespaced: crd.spec.scope === 'Namespaced',
    storageVersion: storage[0].name,
    servedVersions: versions.filter((v) => v.served).map((v) => v.name),
    storedVersions: [...(crd.status?.storedVersions ?? [])],
  };
}

/** True when some objects may still be stored in another version than the storage version. */
export const storedVersionsNeedTrim = (info: Pick<CrdInfo, 'storageVersion' | 'storedVersions'>): boolean =>
  !(info.storedVersions.length === 1 && info.storedVersions[0] === info.storageVersion);

export const formatVersions = (versions: readonly string[]): string => `[${versions.join(', ')}]`;
