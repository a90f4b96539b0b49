import { expect } from 'chai';
import fc from 'fast-check';
import * as t from 'io-ts';
import { isRight } from 'fp-ts/lib/Either.js';
import { arbitraryFor } from '../../../src/testing/generators/arbitrary.js';
import { lenient } from '../../../src/interpreters/lenient.js';
import {
  DateTime,
  FreeForm,
  INT32_MAX,
  INT64_MAX,
  INT64_MIN,
  Int32,
  Int64,
  IntOrString,
  LeafType,
  Quantity,
  constrained,
  nullable,
} from '../../../src/model/index.js';
import { allKeys, fcParameters, jsonProblems, show } from '../../interpreters/jsonClean.js';
import { jsonEqual, parseJson, stringifyJson } from '../../../src/json/index.js';

const Item = t.type({ id: Int32, note: nullable(t.string) });

/** One codec with every combinator and leaf the interpreter knows. */
const Everything = t.type({
  name: constrained(t.string, { minLength: 1, maxLength: 8, pattern: '^[a-z][a-z0-9-]*$' }),
  port: constrained(Int32, { minimum: 1, maximum: 65535 }),
  ratio: constrained(t.number, { minimum: 0, maximum: 1 }),
  short: constrained(t.string, { maxLength: 3 }),
  tags: constrained(t.array(t.string), { minItems: 1, maxItems: 3 }),
  count: constrained(Int64, { minimum: 0 }),
  twoToTen: constrained(constrained(t.string, { maxLength: 10 }), { minLength: 2 }),
  tiny: constrained(nullable(t.string), { maxLength: 2 }),
  size: Int64,
  small: Int32,
  target: IntOrString,
  memory: Quantity,
  at: DateTime,
  free: FreeForm,
  anything: t.unknown,
  record: t.UnknownRecord,
  list: t.UnknownArray,
  flag: t.boolean,
  nothing: t.null,
  fixed: t.literal('x'),
  seven: t.literal(7),
  mode: t.keyof({ Fast: null, Safe: null }),
  phase: t.union([t.literal('Pending'), t.literal('Done')]),
  maybe: nullable(t.string),
  text: t.string,
  real: t.number,
  whole: t.Int,
  items: t.array(Item),
  frozen: t.readonlyArray(t.number),
  labels: t.record(t.string, t.string),
  perDay: t.record(t.keyof({ mon: null, tue: null }), Int32),
  lowerKeys: t.record(constrained(t.string, { pattern: '^[a-z]+$' }), t.boolean),
  both: t.intersection([
    t.type({ a: t.string, inner: t.type({ x: t.string }) }),
    t.partial({ b: t.number, inner: t.partial({ y: t.string }) }),
  ]),
  exact: t.exact(t.type({ e: t.string })),
  strict: t.strict({ s: t.string }),
  ro: t.readonly(t.type({ r: t.string })),
  pair: t.tuple([t.string, Int64]),
  optional: t.partial({ deep: t.type({ deeper: t.array(nullable(t.type({ x: Int64 }))) }) }),
  orUndefined: t.union([t.string, t.undefined]),
});

const params = fcParameters();
/** Statistical checks use a fixed seed: they test the distribution, not luck. */
const sample = <T>(arb: fc.Arbitrary<T>, numRuns = 400): T[] => fc.sample(arb, { numRuns, seed: 20240601 });
const everything = arbitraryFor(Everything);

const decodes = (codec: t.Mixed, v: unknown) => {
  expect(codec.is(v), `is() rejects ${show(v)}`).to.equal(true);
  expect(isRight(codec.decode(v)), `decode() rejects ${show(v)}`).to.equal(true);
};

describe('testing/generators/arbitrary', () => {
  describe('the generators do not lie', () => {
    it('every value of a codec with every combinator and leaf decodes under it', () => {
      fc.assert(
        fc.property(everything, (v) => decodes(Everything, v)),
        params,
      );
    });

    it('with partial: true every value decodes under lenient(codec), and required fields go missing', () => {
      const arb = arbitraryFor(Everything, { partial: true });
      fc.assert(
        fc.property(arb, (v) => decodes(lenient(Everything), v)),
        params,
      );
      const values = sample(arb) as Record<string, unknown>[];
      expect(
        values.some((v) => !('name' in v)),
        'a required top-level field is sometimes absent',
      ).to.equal(true);
      expect(values.some((v) => 'name' in v)).to.equal(true);
      const items = values.flatMap((v) => (Array.isArray(v['items']) ? (v['items'] as Record<string, unknown>[]) : []));
      expect(
        items.some((i) => !('id' in i)),
        'a required nested field is sometimes absent',
      ).to.equal(true);
      expect(
        values.some((v) => !Everything.is(v)),
        'some partial values are not complete ones',
      ).to.equal(true);
    });

    it('every version of every shipped kind generates values its codec admits', async () => {
      const { kinds } = await import('../../../converters/index.js');
      expect(kinds.length).to.be.greaterThan(0);
      for (const kind of kinds) {
        for (const version of kind.versions) {
          fc.assert(
            fc.property(arbitraryFor(version.codec), (v) => decodes(version.codec, v)),
            { ...params, numRuns: Math.min(params.numRuns, 50) },
          );
          fc.assert(
            fc.property(arbitraryFor(version.codec, { partial: true }), (v) => decodes(lenient(version.codec), v)),
            { ...params, numRuns: Math.min(params.numRuns, 50) },
          );
        }
      }
    });

    it('values are JSON-clean: no undefined, -0, NaN, holes or odd prototypes; canonical integers', () => {
      fc.assert(
        fc.property(everything, (v) => {
          expect(jsonProblems(v)).to.deep.equal([]);
        }),
        params,
      );
      fc.assert(
        fc.property(arbitraryFor(Everything, { partial: true }), (v) => {
          expect(jsonProblems(v)).to.deep.equal([]);
        }),
        params,
      );
    });

    it('a JSON round trip gives every value back', () => {
      for (const [arb, codec] of [
        [everything, Everything],
        [arbitraryFor(Everything, { partial: true }), lenient(Everything)],
      ] as const) {
        fc.assert(
          fc.property(arb, (v) => {
            const back = parseJson(stringifyJson(v));
            expect(jsonEqual(back, v), `${show(v)} came back as ${show(back)}`).to.equal(true);
            // Canonical form: what comes back from the wire still decodes (no number turned bigint).
            decodes(codec, back);
          }),
          params,
        );
      }
    });
  });

  describe('what the values lean towards', () => {
    it('t.partial keys are sometimes absent and sometimes present; t.type keys always present', () => {
      const values = sample(arbitraryFor(t.intersection([t.type({ must: t.boolean }), t.partial({ may: t.boolean })])));
      const present = values.filter((v) => Object.hasOwn(v as object, 'may')).length;
      expect(present, 'present').to.be.within(values.length * 0.2, values.length * 0.95);
      expect(values.every((v) => Object.hasOwn(v as object, 'must'))).to.equal(true);
      expect(values.every((v) => Object.values(v as object).every((x) => x !== undefined))).to.equal(true);
    });

    it('a union with undefined yields its other members only (JSON has no undefined)', () => {
      const values = sample(arbitraryFor(t.type({ a: t.union([t.boolean, t.undefined]) }))) as Record<
        string,
        unknown
      >[];
      expect(new Set(values.map((v) => v['a']))).to.deep.equal(new Set([true, false]));
    });

    it('nullable fields are null sometimes, a value other times', () => {
      const values = sample(arbitraryFor(nullable(t.type({ a: t.string }))));
      const nulls = values.filter((v) => v === null).length;
      expect(nulls).to.be.within(values.length * 0.1, values.length * 0.5);
    });

    it('unions of literals and keyof pick every member', () => {
      expect(new Set(sample(arbitraryFor(t.union([t.literal('A'), t.literal('B'), t.literal(3)]))))).to.deep.equal(
        new Set(['A', 'B', 3]),
      );
      expect(new Set(sample(arbitraryFor(t.keyof({ x: null, y: null }))))).to.deep.equal(new Set(['x', 'y']));
    });

    it('Int64: numbers within the safe range, bigints only beyond it, the extremes reachable', () => {
      const values = sample(arbitraryFor(Int64), 3000) as (number | bigint)[];
      for (const v of values) {
        if (typeof v === 'bigint')
          expect(v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER), `${v}`).to.equal(true);
        else expect(Number.isSafeInteger(v), `${v}`).to.equal(true);
      }
      expect(
        values.some((v) => typeof v === 'bigint' && v > 2n ** 53n),
        'beyond 2^53',
      ).to.equal(true);
      expect(
        values.some((v) => typeof v === 'bigint' && v < -(2n ** 53n)),
        'below -2^53',
      ).to.equal(true);
      expect(values).to.include(INT64_MAX);
      expect(values).to.include(INT64_MIN);
      expect(values).to.include(Number.MAX_SAFE_INTEGER);
      expect(values).to.include(2n ** 53n);
      const nonNegative = sample(arbitraryFor(constrained(Int64, { minimum: 0 })), 1000) as (number | bigint)[];
      expect(nonNegative.every((v) => v >= 0)).to.equal(true);
      expect(nonNegative).to.include(INT64_MAX);
      expect(nonNegative).to.include(0);
    });

    it('Int32 reaches its bounds and constrained bounds', () => {
      expect(sample(arbitraryFor(Int32), 1000)).to.include(INT32_MAX);
      const ports = sample(arbitraryFor(constrained(Int32, { minimum: 1, maximum: 65535 })), 1000);
      expect(ports).to.include(1).and.to.include(65535);
    });

    it('IntOrString yields both integers and strings; Quantity both strings and integers', () => {
      const ios = sample(arbitraryFor(IntOrString));
      expect(ios.some((v) => typeof v === 'string')).to.equal(true);
      expect(ios.some((v) => typeof v === 'number')).to.equal(true);
      const q = sample(arbitraryFor(Quantity));
      expect(q.some((v) => typeof v === 'string' && /[a-zA-Z]/.test(v))).to.equal(true);
      expect(q.some((v) => typeof v === 'number')).to.equal(true);
    });

    it('strings: empty, astral and long ones; lengths counted in code points', () => {
      const strings = sample(arbitraryFor(t.string), 1000) as string[];
      expect(strings).to.include('');
      expect(
        strings.some((s) => /[\u{10000}-\u{10FFFF}]/u.test(s)),
        'astral',
      ).to.equal(true);
      const short = sample(arbitraryFor(constrained(t.string, { minLength: 2, maxLength: 2 })), 1000) as string[];
      expect(short.every((s) => [...s].length === 2)).to.equal(true);
      expect(
        short.some((s) => s.length === 4),
        'two astral code points count as two',
      ).to.equal(true);
    });

    it('numbers: fractions, integers, huge and tiny magnitudes, never a number the parser reads back as bigint', () => {
      const numbers = sample(arbitraryFor(t.number), 2000) as number[];
      expect(
        numbers.some((n) => !Number.isInteger(n)),
        'fractions',
      ).to.equal(true);
      expect(
        numbers.some((n) => Number.isInteger(n) && n !== 0),
        'integers',
      ).to.equal(true);
      expect(
        numbers.some((n) => Math.abs(n) >= 1e21),
        'huge',
      ).to.equal(true);
      expect(
        numbers.some((n) => n !== 0 && Math.abs(n) < 1e-300),
        'tiny',
      ).to.equal(true);
      expect(numbers.flatMap((n) => jsonProblems(n))).to.deep.equal([]);
      const ratios = sample(arbitraryFor(constrained(t.number, { minimum: 0, maximum: 1 })), 500) as number[];
      expect(ratios.every((n) => n >= 0 && n <= 1)).to.equal(true);
      expect(ratios).to.include(0).and.to.include(1);
    });

    it('lists are empty often, long sometimes, within minItems/maxItems', () => {
      const lists = sample(arbitraryFor(t.array(t.boolean)), 1000) as unknown[][];
      expect(lists.filter((l) => l.length === 0).length).to.be.greaterThan(lists.length * 0.2);
      expect(lists.some((l) => l.length >= 10)).to.equal(true);
      expect(lists.every((l) => l.length <= 20)).to.equal(true);
      const bounded = sample(
        arbitraryFor(constrained(t.array(t.boolean), { minItems: 2, maxItems: 4 })),
        300,
      ) as unknown[][];
      expect(new Set(bounded.map((l) => l.length))).to.deep.equal(new Set([2, 3, 4]));
    });

    it('map keys are hostile, arrive as own properties, and leave Object.prototype untouched', () => {
      const before = Object.getOwnPropertyNames(Object.prototype).sort();
      const maps = [
        ...sample(arbitraryFor(t.record(t.string, t.number)), 1000),
        ...sample(arbitraryFor(FreeForm), 500),
        ...sample(arbitraryFor(t.unknown), 500),
      ];
      const keys = allKeys(maps);
      for (const hostile of ['__proto__', 'constructor', 'prototype', 'toString', '', 'a.b', 'a/b']) {
        expect(keys.has(hostile), JSON.stringify(hostile)).to.equal(true);
      }
      const withProto = maps.filter(
        (m): m is object => typeof m === 'object' && m !== null && Object.hasOwn(m, '__proto__'),
      );
      expect(withProto.length).to.be.greaterThan(0);
      for (const m of withProto) {
        expect(Object.getPrototypeOf(m)).to.equal(Object.prototype);
        expect(Object.keys(m)).to.include('__proto__');
      }
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).to.deep.equal(before);
      expect(({} as Record<string, unknown>)['f:spec']).to.equal(undefined);
    });

    it('unknown values include bigints beyond 2^53 and nested objects', () => {
      const values = sample(arbitraryFor(t.unknown), 1000);
      const flat = JSON.stringify(values, (_k, x: unknown) => (typeof x === 'bigint' ? `BIG${x}` : x));
      expect(flat).to.match(/BIG-?\d{16,}/);
      expect(
        values.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0),
      ).to.equal(true);
    });

    it('DateTime strings are RFC 3339', () => {
      for (const d of sample(arbitraryFor(DateTime)) as string[]) {
        expect(Number.isNaN(Date.parse(d.replace(' ', 'T').toUpperCase())), d).to.equal(false);
      }
    });
  });

  describe('shrinking', () => {
    it('shrinks a list to the smallest failing one', () => {
      const result = fc.check(
        fc.property(
          arbitraryFor(t.type({ items: t.array(Int32) })),
          (v) => (v as { items: number[] }).items.length < 3,
        ),
        { seed: 42 },
      );
      expect(result.failed).to.equal(true);
      expect(result.counterexample?.[0]).to.deep.equal({ items: [0, 0, 0] });
    });

    it('shrinks an Int64 to the first bigint: 2^53, in canonical form', () => {
      const result = fc.check(
        fc.property(arbitraryFor(Int64), (v) => typeof v !== 'bigint'),
        { seed: 42 },
      );
      expect(result.failed).to.equal(true);
      const found = result.counterexample?.[0] as bigint;
      expect(found === 2n ** 53n || found === -(2n ** 53n), `${found}`).to.equal(true);
    });
  });

  describe('leaves and errors', () => {
    it('a registered leaf is generated; constraints around a plain arbitrary are enforced', () => {
      const Hex = new LeafType<string>('TestHex', (u): u is string => typeof u === 'string' && /^[0-9a-f]+$/.test(u));
      expect(() => arbitraryFor(Hex)).to.throw(/TestHex/);
      const generators = { leaves: new Map([[Hex.name, fc.stringMatching(/^[0-9a-f]{1,12}$/)]]) };
      const Codec = t.type({ id: Hex, short: constrained(Hex, { maxLength: 4 }) });
      fc.assert(
        fc.property(arbitraryFor(Codec, { generators }), (v) => decodes(Codec, v)),
        params,
      );
      // Per call, never global: without the generators the leaf is still unknown.
      expect(() => arbitraryFor(Hex)).to.throw(/TestHex/);
    });

    it('a registered function gets the constraints', () => {
      const Even = new LeafType<number>(
        'TestEven',
        (u): u is number => Number.isSafeInteger(u) && (u as number) % 2 === 0,
      );
      let seen: unknown;
      const even = (c: { minimum?: number; maximum?: number }) => {
        seen = c;
        return fc.integer({ min: (c.minimum ?? -1000) / 2, max: (c.maximum ?? 1000) / 2 }).map((n) => n * 2 + 0);
      };
      const Codec = constrained(Even, { minimum: 10, maximum: 20 });
      fc.assert(
        fc.property(arbitraryFor(Codec, { generators: { leaves: new Map([['TestEven', even]]) } }), (v) =>
          decodes(Codec, v),
        ),
        params,
      );
      expect(seen).to.include({ minimum: 10, maximum: 20 });
    });

    it('a brand is generated once registered under its name', () => {
      interface TestEmailBrand {
        readonly TestEmail: unique symbol;
      }
      const Email = t.brand(
        t.string,
        (s): s is t.Branded<string, TestEmailBrand> => /^[a-z]+@[a-z]+\.[a-z]+$/.test(s),
        'TestEmail',
      );
      expect(() => arbitraryFor(Email)).to.throw(/"TestEmail"/);
      const leaves = new Map([['TestEmail', fc.stringMatching(/^[a-z]{1,5}@[a-z]{1,5}\.[a-z]{2,3}$/)]]);
      fc.assert(
        fc.property(arbitraryFor(t.type({ to: Email }), { generators: { leaves } }), (v) =>
          decodes(t.type({ to: Email }), v),
        ),
        params,
      );
    });

    it('a codec of a kind gets its own generator, given the derived one to mix in', () => {
      const hostPort = constrained(t.string, { description: 'host:port' });
      const codecs = new Map([
        [hostPort as t.Mixed, (derived: fc.Arbitrary<unknown>) => fc.oneof(fc.constant('a:b:c'), derived)],
      ]);
      const values = fc.sample(arbitraryFor(t.type({ hostPort }), { generators: { codecs } }), {
        numRuns: 200,
        seed: 1,
      }) as Array<{ hostPort: string }>;
      expect(values.filter((v) => v.hostPort === 'a:b:c').length).to.be.greaterThan(50);
      expect(values.filter((v) => v.hostPort !== 'a:b:c').length).to.be.greaterThan(50);
      // Only that codec object: another t.string field is derived as before.
      const other = fc.sample(arbitraryFor(t.type({ s: t.string }), { generators: { codecs } }), {
        numRuns: 200,
        seed: 1,
      }) as Array<{ s: string }>;
      expect(other.filter((v) => v.s === 'a:b:c')).to.deep.equal([]);
    });

    it('an unknown leaf names itself and the way out', () => {
      const Mystery = new LeafType<string>('Mystery', (u): u is string => typeof u === 'string');
      expect(() => arbitraryFor(t.type({ spec: t.type({ m: Mystery }) }))).to.throw(
        /"Mystery" at spec\.m.*generators\.leaves/,
      );
    });

    it('a refinement without constraints names itself', () => {
      const NonEmpty = t.refinement(t.string, (s) => s.length > 0, 'NonEmpty');
      expect(() => arbitraryFor(t.type({ n: NonEmpty }))).to.throw(/"NonEmpty" at n/);
    });

    it('codecs JSON cannot hold, recursion and impossible constraints are errors naming the codec', () => {
      expect(() => arbitraryFor(t.type({ u: t.undefined }))).to.throw(/"undefined" at u/);
      expect(() => arbitraryFor(t.bigint)).to.throw(/"bigint" at the root/);
      expect(() => arbitraryFor(t.type({ v: t.union([t.undefined, t.void]) }))).to.throw(
        /at v: no member of the union/,
      );
      interface Node {
        children: Node[];
      }
      const Node: t.Type<Node> = t.recursion('Node', () => t.type({ children: t.array(Node) }));
      expect(() => arbitraryFor(Node)).to.throw(/"Node".*recursive/);
      expect(() => arbitraryFor(constrained(Int32, { minimum: 10, maximum: 5 }))).to.throw(/Int32/);
      expect(() => arbitraryFor(constrained(t.array(t.string), { minItems: 3, maxItems: 1 }))).to.throw(
        /minItems 3 exceeds maxItems 1/,
      );
    });
  });
});
