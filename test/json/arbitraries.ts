import fc from 'fast-check';

/** fast-check settings: FC_NUM_RUNS (default given per property) and FC_SEED (default fixed). */
export const fcParams = (defaultRuns: number): { numRuns: number; seed: number } => ({
  numRuns: Number(process.env['FC_NUM_RUNS'] ?? defaultRuns),
  seed: Number(process.env['FC_SEED'] ?? 20240611),
});

/** Integers JSON.parse rounds, and their neighbours on the safe side. */
export const INTEGER_EDGES: readonly bigint[] = [
  9223372036854775807n,
  -9223372036854775808n,
  9223372036854775806n,
  -9223372036854775807n,
  9007199254740993n,
  -9007199254740993n,
  9007199254740992n,
  -9007199254740992n,
  2n ** 64n - 1n,
  10n ** 30n,
];

/** Bigints, mostly beyond 2^53 (int64 and wider), a few inside (they come back as numbers). */
export const bigInts: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(...INTEGER_EDGES),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) }),
  fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }),
  fc.bigInt({ min: -1000n, max: 1000n }),
);

/** Strings that look like what the module rewrites or matches, or like its placeholders. */
const trickyStrings = fc.constantFrom(
  '12345678901234567890',
  '-9223372036854775808',
  '9007199254740993',
  '\u0000',
  '\u0000123',
  '\u0000-12345678901234567890',
  '"\u000012345678901234567890"',
  '\\u0000',
  ': 12345678901234567890,',
  '[12345678901234567890]',
  '\\"',
  'a"b\\c',
  '\ud800',
  '\udc00x',
  '\u2028\u2029',
  'é日本',
  '😀',
);

/** Every UTF-16 code unit, lone surrogates and controls included. */
const anyCodeUnits = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 12,
});

export const strings: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  anyCodeUnits,
  trickyStrings,
  fc.stringMatching(/^-?\d{14,24}$/),
);

/** Keys, the hostile ones included. */
export const keys: fc.Arbitrary<string> = fc.oneof(
  strings,
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '0', '10', '9', ''),
);

/** Doubles JSON can hold, integral ones up to 2^60 (beyond 2^53 they are already rounded). */
const doubles = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(
    0.1 + 0.2,
    1e21,
    1e-7,
    5e-324,
    1.7976931348623157e308,
    -0,
    1234567890123456,
    9007199254740991,
    -9007199254740991,
  ),
);

/** Builds objects with defineProperty semantics ("__proto__" stays an own key). */
const objectOf = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> =>
  Object.fromEntries(entries);

/** JSON values, numbers as doubles only: what JSON.parse reads back equal. */
export const jsonValues = (leafNumbers: fc.Arbitrary<number | bigint> = doubles): fc.Arbitrary<unknown> =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      leafNumbers,
      strings,
      fc.array(tie('value'), { maxLength: 5 }),
      fc.array(fc.tuple(keys, tie('value')), { maxLength: 5 }).map(objectOf),
    ),
  })).value;

/** JSON values with bigints among their numbers. */
export const jsonValuesWithBigInts: fc.Arbitrary<unknown> = jsonValues(fc.oneof(doubles, bigInts));

/** Pretty-printed text of a value holding bigints, written without the module under test. */
export function prettyText(value: unknown, indent: number): string {
  const sentinel = '@@bigint-sentinel-9f2c@@';
  return JSON.stringify(
    value,
    (_k, x: unknown) => (typeof x === 'bigint' ? sentinel + x.toString() : x),
    indent,
  ).replace(new RegExp(`"${sentinel}(-?\\d+)"`, 'g'), '$1');
}
