import fc from 'fast-check';
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, fromBigInt } from '../../model/int.js';
import type { Constraints } from '../../model/constraints.js';
import { patternRegExp } from '../../model/pattern.js';

/**
 * The scalar and JSON building blocks the codec interpreter (arbitrary.ts) and the metadata
 * generator share. Every value here is JSON-clean in the canonical form the lossless JSON parser
 * produces: no undefined, no -0, no NaN or Infinity, integers beyond +-(2^53-1) as bigint and
 * within it as number (and no number the parser would read back as a bigint), objects with Object.prototype and only own, enumerable data properties.
 */

const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Whether the lossless parser gives this number back as a number. JSON.stringify writes integers
 * below 1e21 as plain digits, and the parser reads digits beyond +-(2^53-1) as a bigint, which
 * `t.number` rejects; from 1e21 on it writes an exponent, which reads back as a number.
 */
export const isCanonicalNumber = (n: number): boolean =>
  !(Number.isInteger(n) && Math.abs(n) > SAFE && Math.abs(n) < 1e21);

/** Map -0 to 0: JSON writes both as `0`, so -0 can never come back from the wire. */
const noNegativeZero = (n: number): number => (n === 0 ? 0 : n);

// ---------------------------------------------------------------------------------------------
// Strings

/** Strings that break naive code: empty, control and format characters, astral, combining, JSON-ish. */
export const TRICKY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\t\r\n',
  '"\\/',
  '\u2028\u2029',
  '\uFEFF',
  'é',
  'e\u0301',
  '😀',
  '𝄞',
  '👩‍👩‍👧',
  'ℌ𝔢𝔩𝔩𝔬',
  'null',
  'true',
  '0',
  '-0',
  '1e400',
  '9007199254740993',
  '__proto__',
  '</script>',
];

const codePoints = (s: string): number => [...s].length;

const fitsLength = (c: Constraints) => (s: string) => {
  const n = codePoints(s);
  return (c.minLength === undefined || n >= c.minLength) && (c.maxLength === undefined || n <= c.maxLength);
};

/**
 * Any string, full unicode including astral characters and the empty string; lengths (counted in
 * code points, as the CRD's validation does) and a pattern are honoured when given.
 */
export function stringArbitrary(c: Constraints = {}): fc.Arbitrary<string> {
  if (c.pattern !== undefined) return patternArbitrary(c);
  const length = { minLength: c.minLength ?? 0, ...(c.maxLength !== undefined && { maxLength: c.maxLength }) };
  if (length.maxLength !== undefined && length.maxLength < length.minLength) {
    throw new Error(`minLength ${length.minLength} exceeds maxLength ${length.maxLength}`);
  }
  const tricky = TRICKY_STRINGS.filter(fitsLength(c));
  const arbs: fc.WeightedArbitrary<string>[] = [
    // One unit is one code point in both: lengths stay exact.
    { arbitrary: fc.string({ unit: 'binary-ascii', ...length }), weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', ...length }), weight: 3 },
  ];
  if (tricky.length > 0) arbs.push({ arbitrary: fc.constantFrom(...tricky), weight: 2 });
  if (c.minLength === undefined && c.maxLength === undefined) {
    // Whole graphemes, some decomposed (NFD): a unit may be several code points.
    arbs.push({ arbitrary: fc.string({ unit: 'grapheme' }), weight: 1 });
  }
  return fc.oneof(...arbs);
}

function patternArbitrary(c: Constraints): fc.Arbitrary<string> {
  let arb: fc.Arbitrary<string>;
  try {
    // The constraint is checked with the `u` flag (see model/constraints.ts); generate the same way.
    arb = fc.stringMatching(patternRegExp(c.pattern!), c.maxLength !== undefined ? { maxLength: c.maxLength } : {});
  } catch (e) {
    throw new Error(`fc.stringMatching cannot generate pattern ${JSON.stringify(c.pattern)}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return c.minLength !== undefined ? arb.filter(fitsLength(c)) : arb;
}

// ---------------------------------------------------------------------------------------------
// Numbers

const ceilOr = (n: number | undefined, fallback: number) => (n === undefined ? fallback : Math.ceil(n));
const floorOr = (n: number | undefined, fallback: number) => (n === undefined ? fallback : Math.floor(n));

/** `fc.integer` within [lo, hi] clipped to the 32-bit range fc.integer handles, if any is left. */
function smallIntegers(lo: number, hi: number): fc.Arbitrary<number> | undefined {
  const min = Math.max(lo, INT32_MIN);
  const max = Math.min(hi, INT32_MAX);
  return min <= max ? fc.integer({ min, max }).map(noNegativeZero) : undefined;
}

const weighted = <T>(...entries: [fc.Arbitrary<T> | undefined, number][]): fc.Arbitrary<T> => {
  const arbs = entries
    .filter((e): e is [fc.Arbitrary<T>, number] => e[0] !== undefined)
    .map(([arbitrary, weight]) => ({ arbitrary, weight }));
  if (arbs.length === 0) throw new Error('no generator left for these constraints');
  return fc.oneof(...arbs);
};

/** A finite double (`type: number`): integers often, fractions too, no -0, canonical. */
export function doubleArbitrary(c: Constraints = {}): fc.Arbitrary<number> {
  const min = c.minimum ?? -Number.MAX_VALUE;
  const max = c.maximum ?? Number.MAX_VALUE;
  if (min > max) throw new Error(`minimum ${c.minimum} exceeds maximum ${c.maximum}`);
  const doubles = fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map(noNegativeZero);
  // Drop the few non-canonical ones, unless the model's range holds nothing else.
  const onlyNonCanonical = min > -1e21 && max < 1e21 && (min > SAFE || max < -SAFE);
  return weighted<number>(
    [smallIntegers(Math.ceil(min), Math.floor(max)), 2],
    [onlyNonCanonical ? doubles : doubles.filter(isCanonicalNumber), 3],
  );
}

/** `Int32`: the whole 32-bit range, bounds included (fc.integer is biased towards them). */
export function int32Arbitrary(c: Constraints = {}): fc.Arbitrary<number> {
  const lo = Math.max(ceilOr(c.minimum, INT32_MIN), INT32_MIN);
  const hi = Math.min(floorOr(c.maximum, INT32_MAX), INT32_MAX);
  if (lo > hi) throw new Error(`no Int32 between ${c.minimum} and ${c.maximum}`);
  return weighted<number>([smallIntegers(lo, hi), 5], [fc.constantFrom(lo, hi).map(noNegativeZero), 1]);
}

/** The integer limits `t.Int` and numbers within the safe range share. */
export function safeIntegerArbitrary(c: Constraints = {}): fc.Arbitrary<number> {
  const lo = Math.max(ceilOr(c.minimum, -SAFE), -SAFE);
  const hi = Math.min(floorOr(c.maximum, SAFE), SAFE);
  if (lo > hi) throw new Error(`no safe integer between ${c.minimum} and ${c.maximum}`);
  return weighted<number>(
    [smallIntegers(lo, hi), 3],
    [fc.bigInt({ min: BigInt(lo), max: BigInt(hi) }).map((n) => noNegativeZero(Number(n))), 2],
  );
}

const TWO_53 = 2n ** 53n;
/** Where precision and formats break: the safe-integer edge and the int64 limits. */
const INT64_EDGES: readonly bigint[] = [
  0n,
  TWO_53 - 1n,
  TWO_53,
  TWO_53 + 1n,
  -(TWO_53 - 1n),
  -TWO_53,
  -(TWO_53 + 1n),
  INT64_MAX,
  INT64_MAX - 1n,
  INT64_MIN,
  INT64_MIN + 1n,
];

const bigCeil = (n: number | undefined, fallback: bigint) => (n === undefined ? fallback : BigInt(Math.ceil(n)));
const bigFloor = (n: number | undefined, fallback: bigint) => (n === undefined ? fallback : BigInt(Math.floor(n)));
const bigMax = (a: bigint, b: bigint) => (a > b ? a : b);
const bigMin = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * `Int64` in canonical form: a number within +-(2^53-1), a bigint beyond it, up to the int64
 * limits. Small values are common, the edges and the extremes are reachable.
 */
export function int64Arbitrary(c: Constraints = {}): fc.Arbitrary<number | bigint> {
  const lo = bigMax(bigCeil(c.minimum, INT64_MIN), INT64_MIN);
  const hi = bigMin(bigFloor(c.maximum, INT64_MAX), INT64_MAX);
  if (lo > hi) throw new Error(`no Int64 between ${c.minimum} and ${c.maximum}`);
  // Nearest to zero first, picked by index: shrinking then walks towards the smaller edges
  // (constantFrom would jump straight to the first one or stay put).
  const magnitude = (n: bigint) => (n < 0n ? -n : n);
  const edges = [...new Set([lo, hi, ...INT64_EDGES.filter((e) => e >= lo && e <= hi)])].sort((a, b) =>
    magnitude(a) < magnitude(b) ? -1 : magnitude(a) > magnitude(b) ? 1 : 0,
  );
  return weighted<number | bigint>(
    [smallIntegers(Number(bigMax(lo, -TWO_53)), Number(bigMin(hi, TWO_53))), 4],
    [fc.bigInt({ min: lo, max: hi }).map(fromBigInt), 3],
    [fc.integer({ min: 0, max: edges.length - 1 }).map((i) => fromBigInt(edges[i]!)), 2],
  );
}

/** Integers of any size as the lossless parser returns them, beyond int64 too (unknown fields). */
const anyIntegerArbitrary: fc.Arbitrary<number | bigint> = fc.oneof(
  { arbitrary: int64Arbitrary(), weight: 4 },
  { arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(fromBigInt), weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// Objects and JSON values

/**
 * Keys that break code which treats objects as maps: prototype names, paths, empty, unicode.
 * They must arrive as own properties and leave Object.prototype alone.
 */
export const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'toJSON',
  'then',
  '',
  ' ',
  '.',
  'a.b',
  'a/b',
  '/',
  '~1',
  '$ref',
  '0',
  '-1',
  'f:spec',
  'ключ',
  '键',
  '😀',
  'e\u0301',
  '\u0000',
];

/** A map key: hostile ones often, otherwise any string. */
export const objectKeyArbitrary: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_KEYS), weight: 2 },
  { arbitrary: stringArbitrary(), weight: 3 },
);

/**
 * An object from entries with unique keys. Object.fromEntries defines own data properties, so
 * `__proto__` becomes a key rather than a prototype (assignment would set the prototype).
 */
export const objectFromEntries = <V>(entries: fc.Arbitrary<[string, V][]>): fc.Arbitrary<Record<string, V>> =>
  entries.map((e) => Object.fromEntries(e) as Record<string, V>);

export interface SizeRange {
  minLength?: number;
  maxLength?: number;
}

/**
 * List lengths a property test wants: the shortest allowed (usually empty) often, a few elements
 * mostly, and sometimes long (up to 20, or maxLength).
 */
export function lengthsOf<T>(
  listOf: (range: { minLength: number; maxLength: number; size?: fc.SizeForArbitrary }) => fc.Arbitrary<T>,
  range: SizeRange = {},
): fc.Arbitrary<T> {
  const min = range.minLength ?? 0;
  const max = range.maxLength ?? Math.max(min, 20);
  if (min > max) throw new Error(`minItems ${min} exceeds maxItems ${max}`);
  return fc.oneof(
    { arbitrary: listOf({ minLength: min, maxLength: min }), weight: 3 },
    { arbitrary: listOf({ minLength: min, maxLength: Math.min(max, min + 3) }), weight: 5 },
    { arbitrary: listOf({ minLength: min, maxLength: max, size: 'max' }), weight: 1 },
  );
}

/** A map with unique keys from `keys`, values from `value`, sized like lists. */
export const dictionaryArbitrary = <V>(
  keys: fc.Arbitrary<string>,
  value: fc.Arbitrary<V>,
  range: SizeRange = {},
): fc.Arbitrary<Record<string, V>> =>
  objectFromEntries(lengthsOf((r) => fc.uniqueArray(fc.tuple(keys, value), { ...r, selector: ([k]) => k }), range));

const jsonScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  stringArbitrary(),
  anyIntegerArbitrary,
  doubleArbitrary(),
);

const jsonTree = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 4, withCrossShrink: true }, jsonScalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: objectFromEntries(
    fc.uniqueArray(fc.tuple(objectKeyArbitrary, tie('value')), { maxLength: 5, selector: ([k]) => k }),
  ),
}));

/** Any JSON value (`t.unknown`): bigints beyond 2^53, hostile keys, nesting. */
export const jsonValueArbitrary: fc.Arbitrary<unknown> = jsonTree.value;

/** Any JSON object (FreeForm, `t.UnknownRecord`). */
export const jsonObjectArbitrary: fc.Arbitrary<Record<string, unknown>> = jsonTree.object;
