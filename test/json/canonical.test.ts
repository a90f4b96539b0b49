import { expect } from 'chai';
import { JsonTooDeepError, canonicalJson, parseJson } from '../../src/json/index.js';

describe('json/canonicalJson', () => {
  it('sorts keys at every depth, integer-like keys by code unit too', () => {
    const value = { b: 1, a: { z: [{ y: 1, x: 2 }], '10': 0, '9': 0 }, '': null };
    expect(canonicalJson(value)).to.equal('{"":null,"a":{"10":0,"9":0,"z":[{"x":2,"y":1}]},"b":1}');
  });

  it('gives the same text for the same value in another key order', () => {
    const a = parseJson('{"spec": {"port": 80, "host": "h", "big": 12345678901234567890}, "kind": "K"}');
    const b = parseJson('{"kind": "K", "spec": {"big": 12345678901234567890, "host": "h", "port": 80}}');
    expect(canonicalJson(a)).to.equal(canonicalJson(b));
  });

  it('writes a number and a bigint of the same integer alike', () => {
    expect(canonicalJson(2 ** 63))
      .to.equal(canonicalJson(2n ** 63n))
      .and.equal('9223372036854775808');
    expect(canonicalJson([1e21, -(2 ** 60)])).to.equal(canonicalJson([10n ** 21n, -(2n ** 60n)]));
    expect(canonicalJson(5)).to.equal(canonicalJson(5n)).and.equal('5');
    expect(canonicalJson(-0)).to.equal('0');
    expect(canonicalJson(2 ** 53)).not.to.equal(canonicalJson(9007199254740993n));
  });

  it('keeps hostile keys and omits undefined properties', () => {
    const value = parseJson('{"prototype": 1, "__proto__": {"b": 2, "a": 1}, "constructor": 3}') as Record<
      string,
      unknown
    >;
    Object.defineProperty(value, 'gone', { value: undefined, enumerable: true });
    expect(canonicalJson(value)).to.equal('{"__proto__":{"a":1,"b":2},"constructor":3,"prototype":1}');
  });

  it('escapes strings as JSON.stringify', () => {
    const s = 'q"b\\s\n\u0000\ud800😀\u2028';
    expect(canonicalJson({ [s]: s })).to.equal(`{${JSON.stringify(s)}:${JSON.stringify(s)}}`);
  });

  it('throws on what has no JSON form, on cycles and on too deep nesting', () => {
    expect(() => canonicalJson(undefined)).to.throw(TypeError);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => canonicalJson(cyclic)).to.throw(TypeError, /circular/);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => canonicalJson(deep)).to.throw(JsonTooDeepError);
  });
});
