import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Json } from './manifest.js';

/** The calls `crdconv check` makes: a port, so tests can point it at a fake apiserver. */
export interface CheckApi {
  /** The CRD exactly as the apiserver sends it. */
  readCrdJson(name: string): Promise<Json>;
  /** The first object listed at `version` (limit=1), or undefined when there is none. */
  listFirst(group: string, version: string, plural: string): Promise<{ name: string; namespace?: string } | undefined>;
}

/**
 * Over client-node. The CRD is read through the generic custom-objects path on purpose: the typed
 * ApiextensionsV1Api maps the JSON onto model classes that rename `x-kubernetes-*` keys, `$ref` and
 * `default`, and drop keys they do not know, so comparing a schema with the YAML file would report
 * differences that are not there. The generic path returns the apiserver's JSON untouched.
 */
export function clientNodeCheckApi(kc: KubeConfig): CheckApi {
  const api = kc.makeApiClient(CustomObjectsApi);
  return {
    async readCrdJson(name) {
      const crd: unknown = await api.getClusterCustomObject({
        group: 'apiextensions.k8s.io',
        version: 'v1',
        plural: 'customresourcedefinitions',
        name,
      });
      return (crd ?? {}) as Json;
    },
    async listFirst(group, version, plural) {
      const list = (await api.listClusterCustomObject({ group, version, plural, limit: 1 })) as {
        items?: { metadata?: { name?: string; namespace?: string } }[];
      };
      const meta = list.items?.[0]?.metadata;
      if (!meta?.name) return undefined;
      return meta.namespace ? { name: meta.name, namespace: meta.namespace } : { name: meta.name };
    },
  };
}
