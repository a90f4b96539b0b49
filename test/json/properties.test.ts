import { expect } from 'chai';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { canonicalJson, jsonEqual, parseJson, stringifyJson } from '../../src/json/index.js';
import { fcParams, jsonValues, jsonValuesWithBigInts, prettyText } from './arbitraries.js';

/** Every number in a parsed value: bigints only beyond the safe range, integers within it. */
function integersInCanonicalForm(v: unknown): boolean {
  if (typeof v === 'bigint') return v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER);
  if (Array.isArray(v)) return v.every(integersInCanonicalForm);
  if (typeof v === 'object' && v !== null) return Object.values(v).every(integersInCanonicalForm);
  return true;
}

/** A copy with the keys of every object in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reversedKeys(x)]),
    );
  return v;
}

/** The same JSON value held differently: integers as the other type, undefined keys, keys reversed. */
function sameValueHeldDifferently(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(sameValueHeldDifferently);
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v)
      .reverse()
      .map(([k, x]): [string, unknown] => [k, sameValueHeldDifferently(x)]);
    return Object.fromEntries([...entries, ['\u0000absent', undefined]]);
  }
  return v;
}

/** The first leaf changed to another value of its type, or undefined when there is no leaf. */
function withFirstLeafChanged(v: unknown): { changed: unknown } | undefined {
  if (typeof v === 'bigint') return { changed: v + 1n };
  if (typeof v === 'number') return { changed: v === 0 ? 1 : v * 3 };
  if (typeof v === 'string') return { changed: v + 'x' };
  if (typeof v === 'boolean') return { changed: !v };
  if (v === null) return { changed: 0 };
  const entries: Array<[string, unknown]> = Array.isArray(v)
    ? v.map((x, i) => [String(i), x])
    : Object.entries(v as object);
  for (const [k, x] of entries) {
    const inner = withFirstLeafChanged(x);
    if (inner === undefined) continue;
    if (Array.isArray(v)) return { changed: v.map((y, i) => (String(i) === k ? inner.changed : y)) };
    return { changed: Object.fromEntries(entries.map(([k2, y]) => [k2, k2 === k ? inner.changed : y])) };
  }
  return undefined;
}

describe('json properties', () => {
  it('parseJson(stringifyJson(v)) is jsonEqual to v, bigints beyond 2^53 included', () => {
    fc.assert(
      fc.property(jsonValuesWithBigInts, (v) => {
        const back = parseJson(stringifyJson(v));
        expect(jsonEqual(back, v), stringifyJson(v)).to.equal(true);
        expect(integersInCanonicalForm(back)).to.equal(true);
      }),
      fcParams(300),
    );
  });

  it('stringifyJson writes what JSON.stringify writes, bigints as digits', () => {
    fc.assert(
      fc.property(jsonValuesWithBigInts, (v) => {
        expect(stringifyJson(v)).to.equal(prettyText(v, 0));
      }),
      fcParams(300),
    );
  });

  it('parseJson reads pretty-printed texts exactly', () => {
    fc.assert(
      fc.property(jsonValuesWithBigInts, fc.constantFrom(1, 2, 4), (v, indent) => {
        const text = prettyText(v, indent);
        expect(jsonEqual(parseJson(text), v), text).to.equal(true);
        expect(stringifyJson(parseJson(text))).to.equal(prettyText(v, 0));
      }),
      fcParams(200),
    );
  });

  it('parseJson equals JSON.parse on texts without unsafe integers', () => {
    fc.assert(
      fc.property(jsonValues(), fc.constantFrom(0, 2), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        expect(isDeepStrictEqual(parseJson(text), JSON.parse(text)), text).to.equal(true);
      }),
      fcParams(300),
    );
  });

  it('jsonEqual and canonicalJson see through how a value is held, and see any changed leaf', () => {
    fc.assert(
      fc.property(jsonValuesWithBigInts, (a) => {
        const same = sameValueHeldDifferently(a);
        expect(jsonEqual(a, same)).to.equal(true);
        expect(jsonEqual(same, a)).to.equal(true);
        expect(canonicalJson(same)).to.equal(canonicalJson(a));
        const other = withFirstLeafChanged(a);
        if (other === undefined) return;
        expect(jsonEqual(a, other.changed), canonicalJson(a)).to.equal(false);
        expect(canonicalJson(other.changed)).not.to.equal(canonicalJson(a));
      }),
      fcParams(300),
    );
  });

  it('canonicalJson ignores key order and agrees with jsonEqual', () => {
    fc.assert(
      fc.property(jsonValuesWithBigInts, jsonValuesWithBigInts, (a, b) => {
        expect(canonicalJson(reversedKeys(a))).to.equal(canonicalJson(a));
        expect(canonicalJson(parseJson(stringifyJson(a)))).to.equal(canonicalJson(a));
        expect(canonicalJson(a) === canonicalJson(b)).to.equal(jsonEqual(a, b));
        expect(jsonEqual(a, reversedKeys(a))).to.equal(true);
      }),
      fcParams(300),
    );
  });
});
