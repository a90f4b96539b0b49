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
  const state = { marker, count: 0, ancestors: new Set<object>() };
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
  readonly ancestors: Set<object>;
}

/**
 * The value JSON.stringify should write for `raw` (found under `key`), with bigints replaced by
 * placeholders: `raw` itself when it holds no bigint, else a copy of the containers that do.
 * toJSON is applied here, as JSON.stringify would; if its result has a toJSON again, the native
 * writer would call that one too where the spec does not, so such values take the plain route.
 */
function withPlaceholders(raw: unknown, key: string, state: WalkState): unknown {
  if (typeof raw === 'bigint') return placeholder(raw, state);
  if (typeof raw !== 'object' || raw === null) return raw;
  const v = hasToJSON(raw) || isWrapper(raw) ? jsonValueOf(raw, key) : raw;
  if (typeof v === 'bigint') return placeholder(v, state);
  if (typeof v !== 'object' || v === null) return v;
  if (v !== raw && hasToJSON(v)) throw UNSUPPORTED;
  if (state.ancestors.has(v)) throw new TypeError('Converting circular structure to JSON');
  state.ancestors.add(v);
  const result = Array.isArray(v) ? arrayWithPlaceholders(v, state) : objectWithPlaceholders(v as Record<string, unknown>, state);
  state.ancestors.delete(v);
  return result;
}

function placeholder(n: bigint, state: WalkState): string {
  state.count++;
  return state.marker.value + n.toString();
}

const isWrapper = (v: object): boolean => v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt;

function arrayWithPlaceholders(a: readonly unknown[], state: WalkState): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const item = a[i];
    const replaced = withPlaceholders(item, String(i), state);
    if (replaced !== item && copy === undefined) copy = a.slice(0, i);
    if (copy !== undefined) copy.push(replaced);
  }
  return copy ?? a;
}

function objectWithPlaceholders(o: Record<string, unknown>, state: WalkState): object {
  const keys = Object.keys(o);
  let entries: Array<[string, unknown]> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = o[key];
    const replaced = withPlaceholders(item, key, state);
    if (replaced !== item && entries === undefined) entries = keys.slice(0, i).map((k) => [k, o[k]]);
    if (entries !== undefined) entries.push([key, replaced]);
  }
  // Object.fromEntries defines own data properties ("__proto__" included, never a prototype
  // change) in the same order as the original's keys, so the text comes out the same.
  return entries === undefined ? o : Object.fromEntries(entries);
}
