/**
 * Where an object sits in a list. The apiserver lists in etcd key order, and the key of a custom
 * object ends in `<namespace>/<name>` (namespaced) or `<name>` (cluster-scoped); names and
 * namespaces are ASCII, so JavaScript string order is that byte order. This order is what lets a
 * resumed run skip what it already did, whatever continue token it resumes from.
 */
export interface ObjectRef {
  readonly namespace?: string | undefined;
  readonly name: string;
}

export const objectKey = (ref: ObjectRef): string => (ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);

/** True when a list position at `key` was already handled by a run that got up to `lastKey`. */
export const alreadyHandled = (key: string, lastKey: string | undefined): boolean =>
  lastKey !== undefined && key <= lastKey;
