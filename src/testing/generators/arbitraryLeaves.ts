import fc from 'fast-check';
import type { Constraints } from '../../model/constraints.js';
import {
  int32Arbitrary,
  int64Arbitrary,
  jsonObjectArbitrary,
  safeIntegerArbitrary,
  stringArbitrary,
} from './arbitraryPrimitives.js';

/**
 * Generators for leaf codecs (model/leaf.ts), by the leaf's name. A leaf is opaque to the
 * interpreter, so each needs an entry: the shipped leaves have one here, and a test suite adds
 * its own through `ArbitraryOptions.generators` (per call, never globally: a test file run alone
 * generates exactly what it generates in the full run).
 *
 * An entry is either an arbitrary, or a function of the constraints a `constrained(...)` around
 * the leaf states (minimum, maxLength, ...). A plain arbitrary under constraints is filtered by
 * them, which is fine for loose bounds and slow for tight ones: honour them in a function then.
 */
export type LeafArbitrary = fc.Arbitrary<unknown> | ((constraints: Constraints) => fc.Arbitrary<unknown>);

/**
 * The generator for a leaf under the given constraints: the caller's entries first, then the
 * shipped ones; undefined when neither has the name. The caller still filters by the constraints
 * (a plain arbitrary ignores them).
 */
export function lookupLeafArbitrary(
  name: string,
  constraints: Constraints,
  own?: ReadonlyMap<string, LeafArbitrary>,
): fc.Arbitrary<unknown> | undefined {
  const entry = own?.get(name) ?? BUILTIN.get(name);
  return typeof entry === 'function' ? entry(constraints) : entry;
}

const BUILTIN = new Map<string, LeafArbitrary>();

/**
 * The generator of a leaf the framework itself ships (src/model), registered once at import.
 * Test suites do not call this: a registration here is global, so a test file run alone would
 * generate differently than in the full run. They pass `generators.leaves` instead.
 */
export function registerLeafArbitrary(leaf: string | { readonly name: string }, arb: LeafArbitrary): void {
  BUILTIN.set(typeof leaf === 'string' ? leaf : leaf.name, arb);
}

// ---------------------------------------------------------------------------------------------
// The shipped leaves (src/model)

const onlyNumericBounds = (c: Constraints): Constraints => ({
  ...(c.minimum !== undefined && { minimum: c.minimum }),
  ...(c.maximum !== undefined && { maximum: c.maximum }),
});

const onlyStringRules = (c: Constraints): Constraints => ({
  ...(c.minLength !== undefined && { minLength: c.minLength }),
  ...(c.maxLength !== undefined && { maxLength: c.maxLength }),
  ...(c.pattern !== undefined && { pattern: c.pattern }),
});

/** Mostly the names and percentages Kubernetes uses, sometimes anything. */
const intOrStringString = (c: Constraints): fc.Arbitrary<string> => {
  const rules = onlyStringRules(c);
  if (Object.keys(rules).length > 0) return stringArbitrary(rules);
  return fc.oneof(
    fc.constantFrom('http', 'metrics', '80%', '25%', '0%', '100%'),
    fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`),
    stringArbitrary(),
  );
};

/** Int32 mostly (ports, replicas), the whole Int64 range sometimes, and strings. */
const intOrString = (c: Constraints): fc.Arbitrary<unknown> =>
  fc.oneof(
    { arbitrary: int32Arbitrary(onlyNumericBounds(c)), weight: 3 },
    { arbitrary: int64Arbitrary(onlyNumericBounds(c)), weight: 1 },
    { arbitrary: intOrStringString(c), weight: 4 },
  );

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** The suffixes apimachinery knows: binary SI, decimal SI, or a decimal exponent. */
const quantitySuffix: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E'),
  fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 2)).map((p) => p.join('')),
);

const quantityNumber: fc.Arbitrary<string> = fc.oneof(
  digits(1, 6),
  fc.tuple(digits(1, 4), digits(0, 3)).map(([i, f]) => `${i}.${f}`),
  digits(1, 3).map((f) => `.${f}`),
);

/** Quantity strings as people write them (`500m`, `1.5Gi`, `2`, `1e3`), and integers. */
const quantity = (c: Constraints): fc.Arbitrary<unknown> => {
  const bounds = onlyNumericBounds(c);
  return fc.oneof(
    { arbitrary: fc.constantFrom('500m', '1.5Gi', '2', '100Mi', '0', '250M', '1e3', '-1', '+.5'), weight: 2 },
    {
      arbitrary: fc.tuple(fc.constantFrom('', '', '', '+', '-'), quantityNumber, quantitySuffix).map((p) => p.join('')),
      weight: 5,
    },
    { arbitrary: safeIntegerArbitrary(bounds), weight: 2 },
  );
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** RFC 3339: `2024-05-06T07:08:09Z` mostly, with fractions, offsets and the allowed lower case. */
export const dateTimeArbitrary: fc.Arbitrary<string> = fc
  .record(
    {
      year: fc.oneof(fc.integer({ min: 1970, max: 2100 }), fc.integer({ min: 0, max: 9999 })),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
      fraction: fc.oneof(
        { arbitrary: fc.constant(''), weight: 3 },
        digits(1, 9).map((d) => `.${d}`),
      ),
      separator: fc.oneof({ arbitrary: fc.constant('T'), weight: 6 }, fc.constant('t')),
      zone: fc.oneof(
        { arbitrary: fc.constant('Z'), weight: 6 },
        fc.constant('z'),
        fc
          .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
          .map(([s, h, m]) => `${s}${pad(h, 2)}:${pad(m, 2)}`),
      ),
    },
    { noNullPrototype: true },
  )
  .map(
    (d) =>
      `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}${d.separator}` +
      `${pad(d.hour, 2)}:${pad(d.minute, 2)}:${pad(d.second, 2)}${d.fraction}${d.zone}`,
  );

BUILTIN.set('Int32', int32Arbitrary);
BUILTIN.set('Int64', int64Arbitrary);
BUILTIN.set('IntOrString', intOrString);
BUILTIN.set('Quantity', quantity);
BUILTIN.set('DateTime', dateTimeArbitrary);
BUILTIN.set('FreeForm', jsonObjectArbitrary);
// io-ts' own integer refinement (`t.Int`), which has no constraints to read.
BUILTIN.set('Int', safeIntegerArbitrary);

/** The shipped leaves' generators, by name (read-only: pass your own with `generators.leaves`). */
export const builtinLeafArbitraries: ReadonlyMap<string, LeafArbitrary> = BUILTIN;
