import { expect } from 'chai';
import fc from 'fast-check';
import { codePointLength } from '../../src/model/constraints.js';
import {
  DateTime,
  FreeForm,
  Int32,
  Int64,
  IntOrString,
  Quantity,
  constrained,
  fromBigInt,
  nullable,
  t,
  toBigInt,
} from '../../src/index.js';

describe('model leaf codecs', () => {
  it('Int32 admits exactly the 32-bit integers', () => {
    for (const ok of [0, -1, 2147483647, -2147483648]) expect(Int32.is(ok), String(ok)).to.equal(true);
    for (const bad of [2147483648, -2147483649, 1.5, '1', 1n, null]) expect(Int32.is(bad), String(bad)).to.equal(false);
  });

  it('Int64 admits safe numbers and bigints within int64, nothing else', () => {
    for (const ok of [
      0,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      9223372036854775807n,
      -9223372036854775808n,
      5n,
    ])
      expect(Int64.is(ok), String(ok)).to.equal(true);
    for (const bad of [9223372036854775808n, -9223372036854775809n, 2 ** 53, 1.5, '5', NaN])
      expect(Int64.is(bad), String(bad)).to.equal(false);
    expect(toBigInt(5)).to.equal(5n);
    expect(fromBigInt(5n)).to.equal(5);
    expect(fromBigInt(9007199254740993n)).to.equal(9007199254740993n);
  });

  it('IntOrString, Quantity, DateTime and FreeForm', () => {
    expect([80, 'http', 9223372036854775807n].every((v) => IntOrString.is(v))).to.equal(true);
    expect(IntOrString.is(1.5)).to.equal(false);
    expect(['500m', '1.5Gi', '2', '1e3', '-1', '.5'].every((v) => Quantity.is(v))).to.equal(true);
    expect(['1.5 Gi', 'Gi', '', 'abc'].some((v) => Quantity.is(v))).to.equal(false);
    expect(DateTime.is('2026-11-27T03:04:05Z')).to.equal(true);
    expect(DateTime.is('2026-11-27T03:04:05.123+01:00')).to.equal(true);
    expect(DateTime.is('2026-11-27 03:04:05Z')).to.equal(false); // the apiserver requires the T
    expect(FreeForm.is({ any: [1, { x: null }] })).to.equal(true);
    expect(FreeForm.is([1])).to.equal(false);
  });

  it('constrained checks its bounds and names them', () => {
    const port = constrained(Int32, { minimum: 1, maximum: 65535 });
    expect(port.name).to.equal('Int32(minimum=1, maximum=65535)');
    expect(port.is(443)).to.equal(true);
    expect(port.is(0)).to.equal(false);
    const name = constrained(t.string, { minLength: 1, maxLength: 3, pattern: '^[a-z]+$' });
    expect(['a', 'abc'].every((v) => name.is(v))).to.equal(true);
    expect(['', 'abcd', 'A'].some((v) => name.is(v))).to.equal(false);
    expect(constrained(t.array(t.string), { maxItems: 1 }).is(['a', 'b'])).to.equal(false);
  });

  it('string lengths count code points, as the apiserver does', () => {
    const two = constrained(t.string, { minLength: 2, maxLength: 2 });
    // An emoji is one code point and two UTF-16 units; a lone surrogate counts as one.
    expect(two.is('\u{1F600}\u{1F600}')).to.equal(true);
    expect(two.is('\u{1F600}')).to.equal(false);
    expect(two.is('a\u{1F600}')).to.equal(true);
    expect(two.is('\ud800\ud800')).to.equal(true);
    expect(two.is('\udc00\ud800a')).to.equal(false);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), fc.nat(14), fc.nat(14), (s, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const n = [...s].length;
        expect(codePointLength(s)).to.equal(n);
        expect(constrained(t.string, { minLength: min }).is(s)).to.equal(n >= min);
        expect(constrained(t.string, { maxLength: max }).is(s)).to.equal(n <= max);
        expect(constrained(t.string, { minLength: min, maxLength: max }).is(s)).to.equal(n >= min && n <= max);
      }),
      { numRuns: 2000 },
    );
  });

  it('nullable admits null, not absence', () => {
    const c = t.type({ a: nullable(t.string) });
    expect(c.is({ a: null })).to.equal(true);
    expect(c.is({})).to.equal(false);
  });
});
