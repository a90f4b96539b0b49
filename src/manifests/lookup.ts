import type { RegisteredKind, Registry } from '../kinds/registry.js';
import { splitApiVersion } from '../kinds/apiVersion.js';

/** What a manifest document's apiVersion and kind mean to the registry. */
export type DocumentKind =
  | { readonly kind: RegisteredKind; readonly group: string; readonly version: string }
  /** A group this deployment serves, but no such kind in it: most likely a typo. */
  | { readonly unknown: string }
  /** Not ours: another group entirely. */
  | { readonly foreign: true };

export function lookupDocumentKind(registry: Registry, apiVersion: string, kindName: string): DocumentKind {
  const { group, version } = splitApiVersion(apiVersion);
  const kind = registry.lookup(group, kindName);
  if (kind) return { kind, group, version };
  const inGroup = registry.kinds.filter((k) => k.def.group === group).map((k) => k.def.kind);
  if (inGroup.length === 0) return { foreign: true };
  return { unknown: `no kind ${kindName} is served in group ${group} (kinds: ${inGroup.join(', ')})` };
}
