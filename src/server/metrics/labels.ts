import type { Registry } from '../../kinds/registry.js';
import { splitApiVersion } from '../../kinds/apiVersion.js';

/** The label value for anything outside the registry's vocabulary. */
export const OTHER = 'other';

/**
 * Label values come from the registry only. The kind and versions in a review are whatever the
 * client sent; copied into labels, a stray or hostile client could mint a time series per
 * request. Object names and uids never become labels at all.
 */
export interface LabelVocabulary {
  kind(kind: string): string;
  version(kind: string, version: string): string;
}

export function labelVocabulary(registry: Registry): LabelVocabulary {
  const versionsByKind = new Map<string, Set<string>>();
  for (const k of registry.kinds) {
    const known = versionsByKind.get(k.def.kind) ?? new Set<string>();
    for (const v of k.versions.keys()) known.add(v);
    versionsByKind.set(k.def.kind, known);
  }
  return {
    kind: (kind) => (versionsByKind.has(kind) ? kind : OTHER),
    version: (kind, version) => (versionsByKind.get(kind)?.has(version) ? version : version === '' ? 'none' : OTHER),
  };
}

/** `apiextensions.k8s.io/v1` -> `v1`; the review versions are a closed set already. */
export const reviewVersionLabel = (apiVersion: string | undefined): string =>
  apiVersion === undefined ? 'none' : splitApiVersion(apiVersion).version;
