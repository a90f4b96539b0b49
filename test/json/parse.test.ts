import { expect } from 'chai';
import { isDeepStrictEqual } from 'node:util';
import { JsonSyntaxError, MAX_INTEGER_DIGITS, parseJson } from '../../src/json/index.js';

describe('json/parseJson', () => {
  describe('integers beyond 2^53 come out as bigint, exactly', () => {
    const cases: Array<[string, bigint]> = [
      ['9223372036854775807', 9223372036854775807n],
      ['-9223372036854775808', -9223372036854775808n],
      ['9223372036854775806', 9223372036854775806n],
      ['9007199254740993', 9007199254740993n],
      ['9007199254740992', 9007199254740992n],
      ['-9007199254740992', -9007199254740992n],
      ['-9007199254740993', -9007199254740993n],
      ['18446744073709551615', 18446744073709551615n],
      ['123456789012345678901234567890', 123456789012345678901234567890n],
    ];
    for (const [literal, expected] of cases) {
      it(`${literal} at the top, in an array and in an object`, () => {
        expect(parseJson(literal)).to.equal(expected);
        expect(parseJson(`[1, ${literal}, "x"]`)).to.deep.equal([1, expected, 'x']);
        expect(parseJson(`{"a":${literal}}`)).to.deep.equal({ a: expected });
        expect(parseJson(`{"a" : \n\t ${literal} \r\n}`)).to.deep.equal({ a: expected });
      });
    }
  });

  it('keeps safe integers as numbers, 16-digit ones and the bounds included', () => {
    const v = parseJson('[9007199254740991, -9007199254740991, 1234567890123456, -1234567890123456, 0, -0, 42]');
    expect(v).to.deep.equal([9007199254740991, -9007199254740991, 1234567890123456, -1234567890123456, 0, -0, 42]);
    for (const n of v as unknown[]) expect(n).to.be.a('number');
  });

  it('reads fractions and exponents as JSON.parse does, however many digits', () => {
    const text =
      '[1.5, -0.25, 1e21, 1E-7, 2.5e+3, 12345678901234567890.5, 1.12345678901234567890, 12345678901234567890e0, 1e12345678901234567890, 0.1e-12345678901234567890, -12345678901234567890E2, 9007199254740993.0]';
    expect(parseJson(text)).to.deep.equal(JSON.parse(text));
  });

  it('leaves digits inside strings alone, as values and as keys', () => {
    const text =
      '{"12345678901234567890": "12345678901234567890", "s": "x 9223372036854775807 y", "q": "\\"12345678901234567890\\"", "n": 12345678901234567890}';
    const v = parseJson(text) as Record<string, unknown>;
    expect(Object.keys(v)).to.deep.equal(['12345678901234567890', 's', 'q', 'n']);
    expect(v['12345678901234567890']).to.equal('12345678901234567890');
    expect(v['s']).to.equal('x 9223372036854775807 y');
    expect(v['q']).to.equal('"12345678901234567890"');
    expect(v['n']).to.equal(12345678901234567890n);
  });

  it('reads a string holding JSON with long integers as a string', () => {
    const inner = '{"a": 12345678901234567890, "b": [9223372036854775807]}';
    const text = JSON.stringify({ annotation: inner, n: 1 }).replace('"n":1', '"n":9223372036854775807');
    expect(parseJson(text)).to.deep.equal({ annotation: inner, n: 9223372036854775807n });
  });

  it('decodes escapes and unicode in strings, next to long integers', () => {
    const text =
      '["\\u0041\\n\\t\\"\\\\\\/\\b\\f\\r", "日本😀", "\\ud83d\\ude00", "\\ud800", 12345678901234567890, "\\u0000", "\\u00001"]';
    expect(parseJson(text)).to.deep.equal([
      'A\n\t"\\/\b\f\r',
      '日本😀',
      '😀',
      '\ud800',
      12345678901234567890n,
      '\u0000',
      '\u00001',
    ]);
  });

  it('is exact when strings hold the placeholder marker (NUL) next to long integers', () => {
    const text =
      '{"\\u0000": "\\u000012345678901234567890", "a": 12345678901234567890, "b": ["\\u0000-1", -98765432109876543210]}';
    expect(parseJson(text)).to.deep.equal({
      '\u0000': '\u000012345678901234567890',
      a: 12345678901234567890n,
      b: ['\u0000-1', -98765432109876543210n],
    });
  });

  it('keeps __proto__, constructor and prototype as own keys, polluting nothing', () => {
    for (const n of ['1', '12345678901234567890']) {
      const text = `{"__proto__": {"polluted": ${n}, "x": {"__proto__": ${n}}}, "constructor": {"prototype": {"polluted": ${n}}}, "prototype": ${n}}`;
      const v = parseJson(text) as Record<string, Record<string, unknown>>;
      expect(Object.keys(v)).to.deep.equal(['__proto__', 'constructor', 'prototype']);
      expect(Object.getPrototypeOf(v)).to.equal(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).to.have.property('polluted');
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
      expect(Object.prototype).not.to.have.property('polluted');
      const inner = v['__proto__']?.['x'] as Record<string, unknown>;
      expect(Object.keys(inner)).to.deep.equal(['__proto__']);
      expect(Object.getPrototypeOf(inner)).to.equal(Object.prototype);
    }
    expect(parseJson('{"__proto__": 12345678901234567890}')).to.satisfy(
      (v: object) =>
        Object.getOwnPropertyDescriptor(v, '__proto__')?.value === 12345678901234567890n &&
        Object.getPrototypeOf(v) === Object.prototype,
    );
  });

  it('is exact when someone has added an enumerable property to Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['inherited'] = '\u000012345678901234567890';
    try {
      const v = parseJson('{"a": {"b": 12345678901234567890}, "c": 1}') as Record<string, Record<string, unknown>>;
      expect(Object.keys(v)).to.deep.equal(['a', 'c']);
      expect(v['a']?.['b']).to.equal(12345678901234567890n);
      expect(Object.hasOwn(v, 'inherited')).to.equal(false);
      expect(proto['inherited']).to.equal('\u000012345678901234567890');
    } finally {
      delete proto['inherited'];
    }
  });

  it('lets the last duplicate key win, as JSON.parse', () => {
    expect(parseJson('{"a": 12345678901234567890, "a": 1}')).to.deep.equal({ a: 1 });
    expect(parseJson('{"a": 1, "a": 12345678901234567890, "b": [22222222222222222222]}')).to.deep.equal({
      a: 12345678901234567890n,
      b: [22222222222222222222n],
    });
  });

  it('parses deep nesting without a crash (native parser and an iterative walk)', () => {
    const depth = 100_000;
    const arrays = parseJson('['.repeat(depth) + '12345678901234567890' + ']'.repeat(depth));
    let node: unknown = arrays;
    for (let i = 0; i < depth; i++) node = (node as unknown[])[0];
    expect(node).to.equal(12345678901234567890n);
    const objects = parseJson('{"a":'.repeat(depth) + '-12345678901234567890' + '}'.repeat(depth));
    node = objects;
    for (let i = 0; i < depth; i++) node = (node as Record<string, unknown>)['a'];
    expect(node).to.equal(-12345678901234567890n);
  });

  it('answers unbalanced deep nesting with a JsonSyntaxError', () => {
    for (const text of ['['.repeat(100_000), '['.repeat(100_000) + '12345678901234567890', '{"a":'.repeat(100_000)]) {
      expect(() => parseJson(text))
        .to.throw(JsonSyntaxError)
        .with.property('position', text.length);
    }
  });

  it(`refuses integer literals of more than ${MAX_INTEGER_DIGITS} digits, with where they are`, () => {
    const ok = '9'.repeat(MAX_INTEGER_DIGITS);
    expect(parseJson(`[${ok}]`)).to.deep.equal([BigInt(ok)]);
    const text = `[1,\n -${'9'.repeat(MAX_INTEGER_DIGITS + 1)}]`;
    expect(() => parseJson(text)).to.throw(JsonSyntaxError, /line 2, column 2: an integer literal of 4301 digits/);
  });

  it('rejects what JSON.parse rejects, long integers or not', () => {
    const bad = [
      '012345678901234567890',
      '[012345678901234567890]',
      '{12345678901234567890: 1}',
      '{"a": 1, 12345678901234567890: 2}',
      '[12345678901234567890 12345678901234567890]',
      '["a" 12345678901234567890]',
      '[-  12345678901234567890]',
      '[--12345678901234567890]',
      '[12345678901234567890.]',
      '[12345678901234567890e]',
      '[+12345678901234567890]',
      '12345678901234567890x',
      '["abc\u0001", 12345678901234567890]',
      '["\\x", 12345678901234567890]',
      '["abc, 12345678901234567890]',
      '[12345678901234567890,]',
      '\ufeff[12345678901234567890]',
    ];
    for (const text of bad) {
      expect(() => JSON.parse(text), text).to.throw(SyntaxError);
      expect(() => parseJson(text), text).to.throw(JsonSyntaxError);
    }
  });

  it('gives what JSON.parse gives on texts with 16+ digit runs but no unsafe integer', () => {
    const texts = [
      '{"uid": "12345678901234567890", "n": 1234567890123456, "f": 0.30000000000000004}',
      '[9007199254740991, "99999999999999999999", 1e300]',
      '"12345678901234567890"',
    ];
    for (const text of texts) expect(isDeepStrictEqual(parseJson(text), JSON.parse(text)), text).to.equal(true);
  });
});
