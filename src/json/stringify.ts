import { JsonTooDeepError, isStackOverflow } from './errors.js';
import { hasToJSON, jsonValueOf } from './jsonValue.js';
import { NUL_MARKER, randomMarker, type Marker } from './placeholder.js';
import { serialize } from './serialize.js';

/**
 * JSON.stringify, except that a bigint is written as its integer literal (JSON.stringify throws
 * on one). Same output otherwise: same escaping, same key order, undefined properties omitted.
 *
 * Fast path: JSON.stringify itself; it throws a TypeError at the first bigint. Then the value is
 * walked once to find its bigints; the containers on the way to them are copied (everything else
 * is shared) with each bigint replaced by a placeholder string, JSON.stringify writes the copy,
 * and the placeholders are replaced by the digits in the text. Callers stringify each object on
 * its own, so only the objects that hold a bigint pay for this.
 *
 * @throws TypeError for a value with no JSON form (undefined, a function, a symbol) or a circular
 *   one; JsonTooDeepError when nesting exhausts the call stack.
 */
export function stringifyJson(value: unknown): string {
  let text: string | undefined;
  if (bigIntsHaveToJSON()) {
    text = stringifyWithBigInts(value);
  } else {
    try {
      text = JSON.stringify(value);
    } catch (e) {
      if (isStackOverflow(e)) throw new JsonTooDeepError('JSON serialization');
      if (!(e instanceof TypeError && /BigInt/.test(e.message))) throw e;
      text = stringifyWithBigInts(value);
    }
  }
  if (text === undefined) throw new TypeError(`stringifyJson: a value of type ${typeof value} has no JSON form`);
  return text;
}

/**
 * Someone installed BigInt.prototype.toJSON (a common workaround that writes strings): then
 * JSON.stringify would not throw on a bigint, but quote it. Checked on every call: cheap.
 */
const bigIntsHaveToJSON = (): boolean => typeof (BigInt.prototype as { toJSON?: unknown }).toJSON === 'function';

function stringifyWithBigInts(value: unknown): string | undefined {
  try {
    // A genuine string can look like a placeholder in the output (see below): then another
    // marker is tried, and after that the plain serializer, which is always right.
    for (const marker of [NUL_MARKER, randomMarker(8), randomMarker(16)]) {
      const text = viaPlaceholders(value, marker);
      if (text !== COLLISION) return text;
    }
    return serialize(value, { sortKeys: false, integerDigits: false });
  } catch (e) {
    if (e === UNSUPPORTED) return serialize(value, { sortKeys: false, integerDigits: false });
    throw isStackOverflow(e) ? new JsonTooDeepError('JSON serialization') : e;
  }
}

const COLLISION = Symbol('placeholder collision');
/** Thrown by the walk for values whose toJSON result has a toJSON of its own (see below). */
const UNSUPPORTED = Symbol('unsupported by the placeholder route');

function viaPlaceholders(value: unknown, marker: Marker): string | undefined | typeof COLLISION {
  const state: WalkState = {
    marker,
    count: 0,
    depth: 0,
    ancestors: new Set(),
    forIn: !hasEnumerableProperty(Object.prototype),
  };
  const copy = withPlaceholders(value, '', state);
  const text = JSON.stringify(copy);
  if (state.count === 0 || text === undefined) return text;
  // Each placeholder is written as "<escaped marker><digits>", right after '[', ',' or ':'. A
  // genuine string can produce the same characters (even across an escaped quote), but only by
  // adding matches: so the replacement is right exactly when it finds as many as were put in.
  let found = 0;
  const pattern = new RegExp(`"${marker.escaped.replaceAll('\\', '\\\\')}(-?\\d+)"`, 'g');
  const result = text.replace(pattern, (_, digits: string) => {
    found++;
    return digits;
  });
  return found === state.count ? result : COLLISION;
}

interface WalkState {
  readonly marker: Marker;
  count: number;
  /** Containers on the current path, and beyond CYCLE_CHECK_DEPTH the deeper ones themselves. */
  depth: number;
  readonly ancestors: Set<object>;
  /** for-in lists exactly the own keys of plain objects (nothing enumerable on Object.prototype). */
  readonly forIn: boolean;
}

/**
 * A cycle makes the path grow without end, so it is enough to look for one on deep paths:
 * checking every container would cost a set insertion and deletion each.
 */
const CYCLE_CHECK_DEPTH = 200;

const mayHoldBigInt = (v: unknown): boolean => (typeof v === 'object' && v !== null) || typeof v === 'bigint';

/**
 * The value JSON.stringify should write for `raw` (found under `key`), with bigints replaced by
 * placeholders: `raw` itself when it holds no bigint, else a copy of the containers that do.
 * toJSON is applied here, as JSON.stringify would; if its result has a toJSON again, the native
 * writer would call that one too where the spec does not, so such values take the plain route.
 */
function withPlaceholders(raw: unknown, key: string | number, state: WalkState): unknown {
  if (typeof raw !== 'object' || raw === null) return typeof raw === 'bigint' ? placeholder(raw, state) : raw;
  const proto: unknown = Object.getPrototypeOf(raw);
  const plain = proto === Object.prototype || proto === Array.prototype || proto === null;
  const v = hasToJSON(raw) || (!plain && isWrapper(raw)) ? jsonValueOf(raw, String(key)) : raw;
  if (typeof v !== 'object' || v === null) return typeof v === 'bigint' ? placeholder(v, state) : v;
  if (v !== raw && hasToJSON(v)) throw UNSUPPORTED;
  const deep = ++state.depth > CYCLE_CHECK_DEPTH;
  if (deep) {
    if (state.ancestors.has(v)) throw new TypeError('Converting circular structure to JSON');
    state.ancestors.add(v);
  }
  const result = Array.isArray(v)
    ? arrayWithPlaceholders(v, state)
    : objectWithPlaceholders(
        v as Record<string, unknown>,
        state,
        state.forIn && Object.getPrototypeOf(v) === Object.prototype,
      );
  if (deep) state.ancestors.delete(v);
  state.depth--;
  return result;
}

function placeholder(n: bigint, state: WalkState): string {
  state.count++;
  return state.marker.value + n.toString();
}

const isWrapper = (v: object): boolean =>
  v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt;

function hasEnumerableProperty(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function arrayWithPlaceholders(a: readonly unknown[], state: WalkState): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const item = a[i];
    const replaced = mayHoldBigInt(item) ? withPlaceholders(item, i, state) : item;
    if (replaced !== item && copy === undefined) copy = a.slice(0, i);
    if (copy !== undefined) copy.push(replaced);
  }
  return copy ?? a;
}

/** `forIn`: the object is plain and for-in lists its own keys (twice as fast as Object.keys). */
function objectWithPlaceholders(o: Record<string, unknown>, state: WalkState, forIn: boolean): object {
  let entries: Array<[string, unknown]> | undefined;
  // The loop is written twice rather than through a callback: a closure per object halves the speed.
  if (forIn) {
    for (const key in o) {
      const item = o[key];
      const replaced = mayHoldBigInt(item) ? withPlaceholders(item, key, state) : item;
      if (replaced !== item && entries === undefined) entries = entriesBefore(o, key);
      if (entries !== undefined) entries.push([key, replaced]);
    }
  } else {
    for (const key of Object.keys(o)) {
      const item = o[key];
      const replaced = mayHoldBigInt(item) ? withPlaceholders(item, key, state) : item;
      if (replaced !== item && entries === undefined) entries = entriesBefore(o, key);
      if (entries !== undefined) entries.push([key, replaced]);
    }
  }
  // Object.fromEntries defines own data properties ("__proto__" included, never a prototype
  // change) in the same order as the original's keys, so the text comes out the same.
  return entries === undefined ? o : Object.fromEntries(entries);
}

/** The entries of `o` before `key`, unchanged (they held no bigint). */
function entriesBefore(o: Record<string, unknown>, key: string): Array<[string, unknown]> {
  const keys = Object.keys(o);
  return keys.slice(0, keys.indexOf(key)).map((k): [string, unknown] => [k, o[k]]);
}
