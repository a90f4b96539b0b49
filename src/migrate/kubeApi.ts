import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { ObjectRef } from './objectKey.js';

/** The resource being migrated, in the version it is listed and written in. */
export interface ResourceTarget {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Only what the migration needs of a listed object: never its content (it may hold secrets). */
export interface ListedObject extends ObjectRef {
  readonly resourceVersion: string;
}

export interface ObjectPage {
  readonly items: readonly ListedObject[];
  /** Empty or absent on the last page. */
  readonly continueToken: string | undefined;
  /** The apiserver's estimate of the objects after this page, when it gives one. */
  readonly remainingItemCount: number | undefined;
}

export interface WriteOptions {
  /** Send `dryRun=All`: the apiserver runs admission and validation but persists nothing. */
  readonly dryRun: boolean;
}

/**
 * The handful of API calls the migration and the check make: a port, so the runner can be rate
 * limited by wrapping it and tested against a fake apiserver.
 */
export interface MigrationApi {
  readCrd(name: string): Promise<V1CustomResourceDefinition>;
  listObjects(target: ResourceTarget, page: { limit: number; continueToken: string | undefined }): Promise<ObjectPage>;
  /** The object's current resourceVersion (after a conflict). */
  readResourceVersion(target: ResourceTarget, ref: ObjectRef): Promise<string>;
  /** A write that changes nothing, so the apiserver re-encodes the object in the storage version. */
  rewriteObject(target: ResourceTarget, ref: ObjectRef, resourceVersion: string, options: WriteOptions): Promise<void>;
  /** Sets `status.storedVersions`, only if the CRD is still at `resourceVersion`. */
  setStoredVersions(
    crdName: string,
    storedVersions: readonly string[],
    resourceVersion: string,
    options: WriteOptions,
  ): Promise<void>;
}

export const FIELD_MANAGER = 'crdconv-migrate';

const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const listedObject = (item: unknown): ListedObject => {
  const metadata = (item as { metadata?: { name?: unknown; namespace?: unknown; resourceVersion?: unknown } } | null)
    ?.metadata;
  if (typeof metadata?.name !== 'string') throw new Error('the apiserver listed an object without metadata.name');
  return {
    name: metadata.name,
    namespace: typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined,
    resourceVersion: typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : '',
  };
};

/** Reads a list response down to the metadata the migration needs. */
export function objectPage(list: unknown): ObjectPage {
  const l = (list ?? {}) as { items?: unknown; metadata?: { continue?: unknown; remainingItemCount?: unknown } };
  const items = Array.isArray(l.items) ? l.items.map(listedObject) : [];
  const token = l.metadata?.continue;
  const remaining = l.metadata?.remainingItemCount;
  return {
    items,
    continueToken: typeof token === 'string' && token !== '' ? token : undefined,
    remainingItemCount: typeof remaining === 'number' ? remaining : undefined,
  };
}

/**
 * The no-op write: a JSON merge patch that sets only `metadata.resourceVersion`.
 *
 * Why a patch and not a PUT of the object as read: client-node parses responses with JSON.parse,
 * so an int64 above 2^53 in the object would come back rounded and a PUT would store the rounded
 * value: silent corruption. The patch carries no content at all, so nothing read can be written
 * back wrong, the request stays small whatever the object's size, and the object's content never
 * sits in this process. The resourceVersion in the patch is a precondition: if anyone wrote the
 * object since we read it, the apiserver answers 409 Conflict instead of applying it. The
 * apiserver then re-encodes the unchanged object; it skips the etcd write only when the encoded
 * bytes are identical, which is exactly when the object is already in the storage version.
 */
export const noOpPatch = (resourceVersion: string) => ({ metadata: { resourceVersion } });

/**
 * The storedVersions trim: a merge patch on the status subresource (merge patches replace arrays
 * whole) carrying the CRD's resourceVersion from the start of the run, so a CRD changed meanwhile
 * (a new storage version, a new version) makes it fail with 409 instead of dropping a version that
 * objects were written in since.
 */
export const storedVersionsPatch = (storedVersions: readonly string[], resourceVersion: string) => ({
  metadata: { resourceVersion },
  status: { storedVersions: [...storedVersions] },
});

const dryRunParam = (options: WriteOptions) => (options.dryRun ? { dryRun: 'All' } : {});

/** The port over @kubernetes/client-node. */
export function clientNodeApi(kc: KubeConfig): MigrationApi {
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  return {
    readCrd: (name) => crds.readCustomResourceDefinition({ name }),

    async listObjects(target, { limit, continueToken }) {
      // The cluster-wide list path also lists a namespaced resource across all namespaces.
      const list: unknown = await objects.listClusterCustomObject({
        group: target.group,
        version: target.version,
        plural: target.plural,
        limit,
        ...(continueToken ? { _continue: continueToken } : {}),
      });
      return objectPage(list);
    },

    async readResourceVersion(target, ref) {
      const base = { group: target.group, version: target.version, plural: target.plural, name: ref.name };
      const obj: unknown = target.namespaced
        ? await objects.getNamespacedCustomObject({ ...base, namespace: ref.namespace ?? '' })
        : await objects.getClusterCustomObject(base);
      return listedObject(obj).resourceVersion;
    },

    async rewriteObject(target, ref, resourceVersion, options) {
      const params = {
        group: target.group,
        version: target.version,
        plural: target.plural,
        name: ref.name,
        body: noOpPatch(resourceVersion),
        fieldManager: FIELD_MANAGER,
        ...dryRunParam(options),
      };
      if (target.namespaced)
        await objects.patchNamespacedCustomObject({ ...params, namespace: ref.namespace ?? '' }, mergePatch());
      else await objects.patchClusterCustomObject(params, mergePatch());
    },

    async setStoredVersions(crdName, storedVersions, resourceVersion, options) {
      await crds.patchCustomResourceDefinitionStatus(
        {
          name: crdName,
          body: storedVersionsPatch(storedVersions, resourceVersion),
          fieldManager: FIELD_MANAGER,
          ...dryRunParam(options),
        },
        mergePatch(),
      );
    },
  };
}
