import { hash } from 'node:crypto';
import { canonicalJson, parseJson, stringifyJson } from '../json/index.js';
import type { Difference } from '../json/diff.js';
import { ABSENT, type Absent, type JsonPath, defineOwn, getAt, ownValue } from '../json/path.js';
import { isJsonObject } from '../json/objects.js';

/**
 * The stash: what a conversion could not carry, kept in one annotation on the converted object.
 *
 * When an object is converted to a version that has no place for some of its data, the
 * framework converts the result straight back and compares: every place where the round trip
 * does not return the original becomes an entry holding the original value (or its absence) and
 * a fingerprint of what the round trip produced there. On the way back the entry is restored only
 * where the fingerprint still matches, that is where nobody edited the field through the other
 * version: an edit always wins over stashed data.
 *
 * Annotation `crdconv.io/stash`, a JSON document:
 *   { "v": 1, "origin": "<version the entries belong to>",
 *     "entries": [ { "p": [path...], "v": <original value, omitted when it was absent>,
 *                    "h": "<fingerprint of the round trip's value there>", "n": <array length> } ],
 *     "meta": { "annotations": "absent" | "null", "metadata": "absent" | "null" } }
 * `n` is set when the entry sits in an array (the array must still have that length);
 * `meta` records what the framework had to create to hold the annotation, so that it can be
 * taken away again and the object's metadata returns byte for byte.
 */
export const STASH_ANNOTATION = 'crdconv.io/stash';

/** The apiserver's limit on all annotations of one object together (keys and values, in bytes). */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

export interface StashEntry {
  readonly p: JsonPath;
  readonly v?: unknown;
  readonly h: string;
  readonly n?: number;
}

export interface Stash {
  readonly origin: string;
  readonly entries: readonly StashEntry[];
}

type Created = 'absent' | 'null';
interface StashDocument extends Stash {
  readonly v: 1;
  readonly meta?: { readonly annotations?: Created; readonly metadata?: Created };
}

/**
 * Work done by the stash code since the process started, for tests that bound it (stash work
 * must grow with the stash plus the object, never with their product): characters fingerprinted,
 * and keys or elements copied while restoring.
 */
export const stashWork = { hashed: 0, copied: 0 };

export const fingerprint = (value: unknown | Absent): string => {
  if (value === ABSENT) return '-';
  const text = canonicalJson(value);
  stashWork.hashed += text.length;
  // One-shot hashing: a stash has thousands of small entries, and a Hash object per entry costs
  // more than the hashing itself.
  return hash('sha256', text, 'base64url').slice(0, 16);
};

/** Entries for every difference between the original body and what the round trip gave back. */
export function stashEntries(original: unknown, differences: readonly Difference[]): StashEntry[] {
  return differences.map(({ path, left, right }) => {
    const parent = getAt(original, path.slice(0, -1));
    const entry: StashEntry = { p: path, h: fingerprint(right) };
    return {
      ...entry,
      ...(left !== ABSENT && { v: left }),
      ...(Array.isArray(parent) && { n: parent.length }),
    };
  });
}

/**
 * Put stashed values back where the round trip still shows what it showed when they were
 * stashed. Entries whose place was edited, moved or removed are left out; so is an entry that
 * would remove an array element (the framework never writes one: arrays keep their length).
 *
 * Entries sit at disjoint paths (`parseStash` refuses overlapping ones), so whether one applies
 * does not depend on another: each is decided against `body` as given, fingerprinting only the
 * value at its own place, and all are applied in one copy-on-write pass that copies each
 * container on their paths once. The work is linear in the stash plus the touched part of the
 * object, whatever the number of entries.
 */
export function restoreEntries(body: unknown, entries: readonly StashEntry[]): unknown {
  const root: RestoreNode = {};
  for (const entry of entries) {
    if (entry.p.length === 0) continue;
    let node = root;
    for (const k of entry.p) {
      const children = (node.children ??= new Map());
      let next = children.get(k);
      if (!next) children.set(k, (next = {}));
      node = next;
    }
    node.entry = entry;
  }
  return rebuild(body, root);
}

interface RestoreNode {
  /** Created on demand: most nodes are leaves, one per entry. */
  children?: Map<string | number, RestoreNode>;
  /** The entry whose path ends here (paths are disjoint, so such a node has no children). */
  entry?: StashEntry;
}

/**
 * `at` with the entries under `node` applied: `at` itself when none applies, otherwise a copy of
 * each container on the way. One walk of the body and the trie together: each entry's parent is
 * reached once, not looked up from the root.
 */
function rebuild(at: unknown, node: RestoreNode): unknown {
  if (!node.children) return at;
  if (Array.isArray(at)) {
    let copy: unknown[] | undefined;
    for (const [k, child] of node.children) {
      if (typeof k !== 'number' || k >= at.length) continue;
      let value: unknown;
      if (child.entry) {
        const { entry } = child;
        // An array keeps its length: only an entry that replaces an element of an array of the
        // length it was stashed from applies.
        if (at.length !== entry.n || !Object.hasOwn(entry, 'v') || fingerprint(at[k]) !== entry.h) continue;
        value = entry.v;
      } else {
        value = rebuild(at[k], child);
        if (value === at[k]) continue;
      }
      if (!copy) {
        copy = at.slice();
        stashWork.copied += copy.length;
      }
      copy[k] = value;
    }
    return copy ?? at;
  }
  if (!isJsonObject(at)) return at;
  let changes: Map<string, unknown> | undefined;
  for (const [k, child] of node.children) {
    if (typeof k !== 'string') continue;
    const current = ownValue(at, k);
    let value: unknown;
    if (child.entry) {
      const { entry } = child;
      if (fingerprint(current) !== entry.h) continue;
      value = Object.hasOwn(entry, 'v') ? entry.v : ABSENT;
    } else {
      if (current === ABSENT) continue;
      value = rebuild(current, child);
      if (value === current) continue;
    }
    (changes ??= new Map()).set(k, value);
  }
  return changes ? withChanges(at, changes) : at;
}

/**
 * A copy of `at` with `changes` applied (ABSENT removes a key), keys in their order and new ones
 * last. Built key by key rather than spread and patched: a spread of a map of thousands of keys
 * copies it in V8's slow dictionary form, several times slower.
 */
function withChanges(at: Record<string, unknown>, changes: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  const keys = Object.keys(at);
  stashWork.copied += keys.length;
  for (const k of keys) put(copy, k, changes.has(k) ? changes.get(k) : at[k]);
  for (const [k, value] of changes) if (!Object.hasOwn(at, k)) put(copy, k, value);
  return copy;
}

/** Set an own key (`__proto__` included, as data); ABSENT sets nothing. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === ABSENT) return;
  if (key === '__proto__') defineOwn(target, key, value);
  else target[key] = value;
}

export type ReadStash =
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'found'; readonly stash: Stash };

/**
 * Split an object's metadata into the stash it carries and the metadata without it (as it was
 * before the framework added anything). A malformed stash is reported and left where it is.
 */
export function takeStash(metadata: unknown): { stash: ReadStash; metadata: unknown } {
  if (!isJsonObject(metadata)) return { stash: { kind: 'none' }, metadata };
  const annotations = ownValue(metadata, 'annotations');
  if (!isJsonObject(annotations) || !Object.hasOwn(annotations, STASH_ANNOTATION))
    return { stash: { kind: 'none' }, metadata };
  const parsed = parseStash(annotations[STASH_ANNOTATION]);
  if (typeof parsed === 'string') return { stash: { kind: 'malformed', reason: parsed }, metadata };

  const { [STASH_ANNOTATION]: _taken, ...rest } = annotations;
  let meta: Record<string, unknown> | null | Absent = { ...metadata };
  if (Object.keys(rest).length > 0 || parsed.meta?.annotations === undefined) meta.annotations = rest;
  else if (parsed.meta.annotations === 'null') meta.annotations = null;
  else delete meta.annotations;
  if (parsed.meta?.metadata !== undefined && Object.keys(meta).length === 0) {
    meta = parsed.meta.metadata === 'null' ? null : ABSENT;
  }
  return { stash: { kind: 'found', stash: { origin: parsed.origin, entries: parsed.entries } }, metadata: meta };
}

/** Metadata carrying `stash`, recording what had to be created for it. */
export function putStash(metadata: unknown, stash: Stash): Record<string, unknown> {
  const meta: { annotations?: Created; metadata?: Created } = {};
  let base: Record<string, unknown>;
  if (isJsonObject(metadata)) base = { ...metadata };
  else {
    meta.metadata = metadata === null ? 'null' : 'absent';
    base = {};
  }
  const annotations = ownValue(base, 'annotations');
  if (!isJsonObject(annotations)) meta.annotations = annotations === null ? 'null' : 'absent';
  const doc: StashDocument = {
    v: 1,
    origin: stash.origin,
    entries: stash.entries,
    ...(Object.keys(meta).length && { meta }),
  };
  base.annotations = { ...(isJsonObject(annotations) ? annotations : {}), [STASH_ANNOTATION]: stringifyJson(doc) };
  return base;
}

/** Bytes taken by all annotations together, as the apiserver counts them. */
export function annotationsSize(metadata: unknown): number {
  const annotations = ownValue(metadata, 'annotations');
  if (!isJsonObject(annotations)) return 0;
  let size = 0;
  for (const [k, v] of Object.entries(annotations))
    size += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  return size;
}

function parseStash(raw: unknown): StashDocument | string {
  if (typeof raw !== 'string') return 'the annotation is not a string';
  let doc: unknown;
  try {
    doc = parseJson(raw);
  } catch (e) {
    return `the annotation is not JSON (${(e as Error).message})`;
  }
  if (!isJsonObject(doc) || doc.v !== 1) return 'the annotation is not a version 1 stash document';
  if (typeof doc.origin !== 'string' || !Array.isArray(doc.entries)) return 'the stash has no origin or entries';
  for (const e of doc.entries) {
    if (!isJsonObject(e) || !Array.isArray(e.p) || typeof e.h !== 'string')
      return 'a stash entry has no path or fingerprint';
    if (!e.p.every((k) => typeof k === 'string' || (typeof k === 'number' && Number.isInteger(k) && k >= 0))) {
      return 'a stash entry has a malformed path';
    }
    if (e.n !== undefined && typeof e.n !== 'number') return 'a stash entry has a malformed array length';
  }
  if (overlapping(doc.entries as Array<{ p: JsonPath }>)) return 'two stash entries overlap (one path holds another)';
  const meta = doc.meta;
  if (meta !== undefined) {
    const ok = (c: unknown) => c === undefined || c === 'absent' || c === 'null';
    if (!isJsonObject(meta) || !ok(meta.annotations) || !ok(meta.metadata))
      return 'the stash has malformed bookkeeping';
  }
  return doc as unknown as StashDocument;
}

/**
 * Whether one entry's path is the same as, or holds, another's. The framework writes disjoint
 * paths only; overlapping ones could make restoring fingerprint the same big value once per
 * entry. Checked with a trie of the paths: linear in their total length.
 */
function overlapping(entries: ReadonlyArray<{ p: JsonPath }>): boolean {
  interface Trie {
    end?: boolean;
    readonly next: Map<string | number, Trie>;
  }
  const root: Trie = { next: new Map() };
  for (const { p } of entries) {
    let node = root;
    for (const key of p) {
      if (node.end) return true;
      let next = node.next.get(key);
      if (!next) node.next.set(key, (next = { next: new Map() }));
      node = next;
    }
    if (node.end || node.next.size > 0) return true;
    node.end = true;
  }
  return false;
}
