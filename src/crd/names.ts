import type { V1CustomResourceDefinitionNames } from '@kubernetes/client-node';
import type { KindNames } from '../kinds/defineKind.js';

/** The CRD's names; singular and listKind get Kubernetes' own defaults, spelled out. */
export const crdNames = (kind: KindNames): V1CustomResourceDefinitionNames => ({
  kind: kind.kind,
  plural: kind.plural,
  singular: kind.singular ?? kind.kind.toLowerCase(),
  listKind: kind.listKind ?? `${kind.kind}List`,
  ...(kind.shortNames?.length ? { shortNames: [...kind.shortNames] } : {}),
  ...(kind.categories?.length ? { categories: [...kind.categories] } : {}),
});
