import { expect } from 'chai';
import { JsonTooDeepError, parseJson, stringifyJson } from '../../src/json/index.js';

describe('json/stringifyJson', () => {
  it('writes bigints as their integer literals, at every depth', () => {
    const value = {
      max: 9223372036854775807n,
      min: -9223372036854775808n,
      list: [9007199254740993n, 1, [2n ** 64n, { deep: -(10n ** 30n) }]],
      small: 5n,
    };
    expect(stringifyJson(value)).to.equal(
      '{"max":9223372036854775807,"min":-9223372036854775808,"list":[9007199254740993,1,[18446744073709551616,{"deep":-1000000000000000000000000000000}]],"small":5}',
    );
    expect(stringifyJson(12345678901234567890n)).to.equal('12345678901234567890');
    expect(stringifyJson([-1n])).to.equal('[-1]');
  });

  it('writes what JSON.stringify writes for everything else (omitted undefined, escapes, toJSON)', () => {
    const others = {
      u: undefined,
      f: () => 1,
      s: Symbol('x'),
      arr: [undefined, () => 1, NaN, -Infinity, -0],
      str: 'q"b\\s\n\u0000\u001f\ud800\u2028😀',
      date: new Date(0),
      wrapped: [Object(1), Object('s'), Object(false)],
      nested: { toJSON: (key: string) => `key:${key}` },
    };
    const expected = JSON.stringify(others);
    expect(stringifyJson(others)).to.equal(expected);
    // Same output on the bigint route: the same object with a bigint added at the end.
    const withBig = { ...others, big: 2n ** 70n };
    expect(stringifyJson(withBig)).to.equal(expected.slice(0, -1) + ',"big":1180591620717411303424}');
  });

  it('keeps hostile keys as keys on the bigint route, in their order', () => {
    const value = parseJson(
      '{"__proto__": {"a": 12345678901234567890}, "constructor": {"prototype": 22222222222222222222}, "10": 1, "2": 33333333333333333333}',
    );
    expect(stringifyJson(value)).to.equal(
      '{"2":33333333333333333333,"10":1,"__proto__":{"a":12345678901234567890},"constructor":{"prototype":22222222222222222222}}',
    );
    expect(Object.prototype).not.to.have.property('a');
  });

  it('is exact when strings look like its placeholders', () => {
    const value = {
      '\u0000123': '\u0000-456',
      s: '"\u000012345678901234567890"',
      t: '\\"\u0000789',
      b: 12345678901234567890n,
      list: ['\u0000', 9223372036854775807n, '\u00001'],
    };
    const text = stringifyJson(value);
    expect(text).to.equal(
      '{"\\u0000123":"\\u0000-456","s":"\\"\\u000012345678901234567890\\"","t":"\\\\\\"\\u0000789","b":12345678901234567890,"list":["\\u0000",9223372036854775807,"\\u00001"]}',
    );
    expect(parseJson(text)).to.deep.equal(value);
  });

  it('calls toJSON once per value, as JSON.stringify, also when its result has a toJSON', () => {
    const twice = { toJSON: () => ({ toJSON: () => 'not called', x: 1 }) };
    expect(JSON.stringify({ a: twice })).to.equal('{"a":{"x":1}}');
    expect(stringifyJson({ a: twice, b: 1n })).to.equal('{"a":{"x":1},"b":1}');
    expect(stringifyJson({ a: { toJSON: () => 7n } })).to.equal('{"a":7}');
    expect(stringifyJson([Object(2n ** 64n)])).to.equal('[18446744073709551616]');
  });

  it('does not change the value it writes', () => {
    const inner = { b: 2n ** 64n };
    const value = { a: [inner], c: 'x' };
    stringifyJson(value);
    expect(value.a[0]).to.equal(inner);
    expect(inner.b).to.equal(2n ** 64n);
  });

  it('ignores BigInt.prototype.toJSON (a workaround that would quote bigints)', () => {
    const proto = BigInt.prototype as { toJSON?: () => string };
    proto.toJSON = function (this: bigint) {
      return this.toString();
    };
    try {
      expect(stringifyJson({ a: 2n ** 64n, b: [1n] })).to.equal('{"a":18446744073709551616,"b":[1]}');
      expect(stringifyJson({ a: 1 })).to.equal('{"a":1}');
    } finally {
      delete proto.toJSON;
    }
  });

  it('leaves BigInt.prototype as it found it, also when writing throws', () => {
    const proto = BigInt.prototype as { toJSON?: () => string };
    expect(stringifyJson([1n, Object(2n)])).to.equal('[1,2]');
    expect(Object.getOwnPropertyDescriptor(proto, 'toJSON')).to.equal(undefined);
    const circular: Record<string, unknown> = { n: 1n };
    circular.self = circular;
    expect(() => stringifyJson(circular)).to.throw(TypeError);
    expect(Object.getOwnPropertyDescriptor(proto, 'toJSON')).to.equal(undefined);
    expect(() => JSON.stringify(1n)).to.throw(TypeError);
    const theirs = function (this: bigint) {
      return this.toString();
    };
    proto.toJSON = theirs;
    try {
      expect(() => stringifyJson({ f: () => 1, self: circular })).to.throw(TypeError);
      expect(proto.toJSON).to.equal(theirs);
    } finally {
      delete proto.toJSON;
    }
  });

  it('writes own keys only when someone has added an enumerable property to Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['inherited'] = 1n;
    try {
      expect(stringifyJson({ a: { b: 2n ** 64n }, c: [1] })).to.equal('{"a":{"b":18446744073709551616},"c":[1]}');
    } finally {
      delete proto['inherited'];
    }
  });

  it('throws on circular values and on values with no JSON form', () => {
    const cyclic: Record<string, unknown> = { b: 1n };
    cyclic['self'] = cyclic;
    expect(() => stringifyJson(cyclic)).to.throw(TypeError, /circular/);
    const plainCyclic: Record<string, unknown> = {};
    plainCyclic['self'] = plainCyclic;
    expect(() => stringifyJson(plainCyclic)).to.throw(TypeError, /circular/);
    expect(() => stringifyJson(undefined)).to.throw(TypeError, /no JSON form/);
    expect(() => stringifyJson(() => 1)).to.throw(TypeError, /no JSON form/);
    // Shared (not circular) structure is fine.
    const shared = { n: 1n };
    expect(stringifyJson([shared, shared])).to.equal('[{"n":1},{"n":1}]');
  });

  it('answers nesting deeper than the stack with JsonTooDeepError, with or without bigints', () => {
    const deep = (leaf: unknown): unknown => {
      let v: unknown = leaf;
      for (let i = 0; i < 100_000; i++) v = [v];
      return v;
    };
    expect(() => stringifyJson(deep(1))).to.throw(JsonTooDeepError);
    expect(() => stringifyJson(deep(1n))).to.throw(JsonTooDeepError);
  });
});
