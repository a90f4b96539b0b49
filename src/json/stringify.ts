import { JsonTooDeepError, isStackOverflow } from './errors.js';
import { hasToJSON, jsonValueOf } from './jsonValue.js';
import { NUL_MARKER, randomMarker, type Marker } from './placeholder.js';
import { serialize } from './serialize.js';

/**
 * JSON.stringify, except that a bigint is written as its integer literal (JSON.stringify throws
 * on one). Same output otherwise: same escaping, same key order, undefined properties omitted.
 *
 * One native pass: while JSON.stringify runs, BigInt.prototype.toJSON is ours (whatever was there
 * before is put back at once, also when it throws) and writes each bigint as a placeholder string,
 * "<marker><digits>"; the placeholders are then replaced by the digits in the text. A text with no
 * bigint comes out of JSON.stringify as it is. Values the native writer cannot take this way (a
 * toJSON that returns a bigint, which the spec does not pass to toJSON again) take the older
 * route: walk the value, copy the containers on the way to its bigints with placeholders in their
 * place, write the copy.
 *
 * @throws TypeError for a value with no JSON form (undefined, a function, a symbol) or a circular
 *   one; JsonTooDeepError when nesting exhausts the call stack.
 */
export function stringifyJson(value: unknown): string {
  let text: string | undefined | typeof COLLISION;
  // Most values hold no bigint, and then JSON.stringify alone is fastest: it throws at the first
  // bigint, and changing BigInt.prototype costs a few microseconds. When recent values held
  // bigints (a list where most objects do), the placeholder pass goes first, saving the attempt.
  const direct = bigintProto.toJSON === undefined && recentBigIntShare < BIGINT_PATH_ABOVE;
  try {
    text = direct ? JSON.stringify(value) : nativeWithPlaceholders(value, NUL_MARKER);
  } catch (e) {
    if (isStackOverflow(e)) throw new JsonTooDeepError('JSON serialization');
    if (!isBigIntError(e)) throw e;
    text = undefined;
    try {
      if (direct) text = nativeWithPlaceholders(value, NUL_MARKER);
    } catch (e2) {
      if (isStackOverflow(e2)) throw new JsonTooDeepError('JSON serialization');
      if (!isBigIntError(e2)) throw e2;
    }
    text ??= stringifyWithBigInts(value);
  }
  recentBigIntShare = recentBigIntShare * 0.875 + (lastHadBigInt ? 0.125 : 0);
  lastHadBigInt = false;
  if (text === COLLISION) text = stringifyWithBigInts(value);
  if (text === undefined) throw new TypeError(`stringifyJson: a value of type ${typeof value} has no JSON form`);
  return text;
}

const bigintProto = BigInt.prototype as { toJSON?: unknown };

/** An exponential average of how many of the last values held a bigint (only speed depends on it). */
let recentBigIntShare = 0;
let lastHadBigInt = false;
const BIGINT_PATH_ABOVE = 0.2;

const isBigIntError = (e: unknown): boolean => e instanceof TypeError && /BigInt/.test(e.message);
const bigintToString = BigInt.prototype.toString;

/**
 * JSON.stringify with our BigInt.prototype.toJSON in place: each bigint (or BigInt wrapper) is
 * written as a placeholder, then replaced by its digits. COLLISION when a genuine string looked
 * like a placeholder.
 */
function nativeWithPlaceholders(value: unknown, marker: Marker): string | undefined | typeof COLLISION {
  let count = 0;
  const prefix = marker.value;
  const previous = Object.getOwnPropertyDescriptor(bigintProto, 'toJSON');
  Object.defineProperty(bigintProto, 'toJSON', {
    value: function (this: bigint) {
      count++;
      return prefix + bigintToString.call(this);
    },
    configurable: true,
    writable: true,
    enumerable: false,
  });
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } finally {
    if (previous) Object.defineProperty(bigintProto, 'toJSON', previous);
    else delete bigintProto.toJSON;
  }
  if (count === 0 || text === undefined) return text;
  lastHadBigInt = true;
  return replacePlaceholders(text, marker, count);
}

/**
 * Each placeholder is written as "<escaped marker><digits>", right after '[', ',' or ':'. A
 * genuine string can produce the same characters (even across an escaped quote), but only by
 * adding matches: so the replacement is right exactly when it finds as many as were put in.
 */
function replacePlaceholders(text: string, marker: Marker, count: number): string | typeof COLLISION {
  let found = 0;
  const pattern = marker === NUL_MARKER ? NUL_PATTERN : placeholderPattern(marker);
  pattern.lastIndex = 0;
  const result = text.replace(pattern, (_, digits: string) => {
    found++;
    return digits;
  });
  return found === count ? result : COLLISION;
}

const placeholderPattern = (marker: Marker): RegExp =>
  new RegExp(`"${marker.escaped.replaceAll('\\', '\\\\')}(-?\\d+)"`, 'g');
const NUL_PATTERN = placeholderPattern(NUL_MARKER);

function stringifyWithBigInts(value: unknown): string | undefined {
  try {
    // A genuine string can look like a placeholder in the output (see replacePlaceholders): then
    // another marker is tried, and after that the plain serializer, which is always right.
    for (let attempt = 0; attempt < 3; attempt++) {
      const marker = attempt === 0 ? NUL_MARKER : randomMarker(8 * attempt);
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
  return replacePlaceholders(text, marker, state.count);
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
