import { expect } from 'chai';
import { jsonEqual, parseJson } from '../../src/json/index.js';

describe('json/jsonEqual', () => {
  it('ignores key order', () => {
    expect(jsonEqual({ a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 })).to.equal(true);
  });

  it('compares arrays by order and length', () => {
    expect(jsonEqual([1, 2], [2, 1])).to.equal(false);
    expect(jsonEqual([1, 2], [1, 2, 3])).to.equal(false);
    expect(jsonEqual([], {})).to.equal(false);
  });

  it('equals a number and a bigint of the same integer, exactly', () => {
    expect(jsonEqual(5, 5n)).to.equal(true);
    expect(jsonEqual(2 ** 63, 9223372036854775808n)).to.equal(true);
    expect(jsonEqual(2 ** 53, 9007199254740993n)).to.equal(false);
    expect(jsonEqual(9007199254740993n, 9007199254740992n)).to.equal(false);
    expect(jsonEqual(parseJson('9223372036854775807'), JSON.parse('9223372036854775807'))).to.equal(false);
    expect(jsonEqual(1.5, 1n)).to.equal(false);
    expect(jsonEqual(0, -0)).to.equal(true);
  });

  it('treats an undefined-valued key as absent, and null as a value', () => {
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).to.equal(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).to.equal(true);
    expect(jsonEqual({ a: 1, b: null }, { a: 1 })).to.equal(false);
    expect(jsonEqual({ b: null }, { b: undefined })).to.equal(false);
    expect(jsonEqual([undefined], [null])).to.equal(true);
    expect(jsonEqual(undefined, null)).to.equal(false);
    expect(jsonEqual(undefined, undefined)).to.equal(true);
  });

  it('tells apart types that print alike elsewhere', () => {
    expect(jsonEqual('1', 1)).to.equal(false);
    expect(jsonEqual(true, 1)).to.equal(false);
    expect(jsonEqual(null, 0)).to.equal(false);
    expect(jsonEqual({}, null)).to.equal(false);
    expect(jsonEqual({ a: '1' }, { a: 1 })).to.equal(false);
  });

  it('compares hostile keys as data', () => {
    const a = parseJson('{"__proto__": {"x": 1}, "constructor": 2}');
    expect(jsonEqual(a, parseJson('{"constructor": 2, "__proto__": {"x": 1}}'))).to.equal(true);
    expect(jsonEqual(a, parseJson('{"constructor": 2, "__proto__": {"x": 2}}'))).to.equal(false);
    expect(jsonEqual(a, { constructor: 2 })).to.equal(false);
  });

  it('handles deep and circular values without overflowing', () => {
    let x: unknown = 1n;
    let y: unknown = 1;
    // Deeper than a recursive comparison could go (about 10,000 frames).
    for (let i = 0; i < 30_000; i++) {
      x = [x];
      y = [y];
    }
    expect(jsonEqual(x, y)).to.equal(true);
    const c1: Record<string, unknown> = { a: 1 };
    c1['self'] = c1;
    const c2: Record<string, unknown> = { a: 1 };
    c2['self'] = c2;
    expect(jsonEqual(c1, c2)).to.equal(true);
  });
});
