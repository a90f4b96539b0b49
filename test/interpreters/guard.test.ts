import { expect } from 'chai';
import fc from 'fast-check';
import * as t from 'io-ts';
import { kinds } from '../../converters/index.js';
import { arbitraryFor } from '../../src/testing/generators/arbitrary.js';
import { guard } from '../../src/interpreters/guard.js';
import { lenient, strict } from '../../src/interpreters/lenient.js';
import { Int64, IntOrString, constrained } from '../../src/model/index.js';
import { fixtureKinds } from '../crd/fixtures.js';

/**
 * The guard interpreter answers exactly what the codec's own `is` answers: the service trusts it
 * to let through only what the codec admits (and the decoder then explains every refusal).
 */
const settings = {
  numRuns: Number(process.env['FC_NUM_RUNS'] || 100),
  seed: Number(process.env['FC_SEED'] || 20261127),
};

const show = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** Both answers for each value, side by side, for a readable failure. */
function expectAgreement(codec: t.Mixed, values: readonly unknown[]): void {
  const g = guard(codec);
  for (const v of values) expect(g(v), `${codec.name} on ${show(v)}`).to.equal(codec.is(v));
}

const ownUndefined = JSON.parse('{"a":"x"}') as Record<string, unknown>;
ownUndefined.b = undefined;
const withProtoKey = JSON.parse('{"__proto__":5,"a":"x"}') as unknown;

describe("interpreters: guard (the codec's `is`, compiled)", () => {
  it('agrees with io-ts on each combinator, edge cases included', () => {
    const p = t.partial({ a: t.string, b: t.number });
    expectAgreement(p, [{}, { a: 'x' }, { a: 1 }, { a: undefined }, ownUndefined, null, [], 'x', [1], withProtoKey]);
    const i = t.type({ a: t.string, b: t.union([t.undefined, t.number]) });
    expectAgreement(i, [{ a: 'x' }, ownUndefined, { a: 'x', b: 2 }, { a: 'x', b: 'y' }, {}, []]);
    const inherited = Object.create({ a: 'x' }) as object;
    expectAgreement(t.type({ a: t.string }), [inherited, Object.create(null)]);
    expectAgreement(t.partial({ constructor: t.string, toString: t.string }), [
      {},
      { constructor: 'x' },
      { toString: 1 },
    ]);
    expectAgreement(t.record(t.string, t.number), [
      {},
      { a: 1, b: 2 },
      { a: 1, b: 'x' },
      withProtoKey,
      inherited,
      [],
      null,
    ]);
    expectAgreement(t.record(t.keyof({ a: null }), t.number), [{ a: 1 }, { a: 1, b: 'x' }, {}]);
    expectAgreement(t.keyof({ red: null, green: null }), ['red', 'blue', 'toString', '__proto__', 1, null]);
    expectAgreement(t.literal('x'), ['x', 'y', undefined]);
    expectAgreement(t.array(t.string), [[], ['a'], ['a', 1], {}, 'a', [undefined]]);
    expectAgreement(t.union([t.string, t.null]), ['a', null, undefined, 1]);
    expectAgreement(t.intersection([t.type({ a: t.string }), t.partial({ b: t.boolean })]), [
      { a: 'x' },
      { a: 'x', b: 1 },
      { b: true },
    ]);
    expectAgreement(t.exact(t.type({ a: t.string })), [{ a: 'x', extra: 1 }, {}]);
    expectAgreement(t.readonly(t.type({ a: t.boolean })), [{ a: true }, { a: 'x' }]);
    expectAgreement(t.unknown, [undefined, null, {}, 1n]);
    expectAgreement(t.null, [null, undefined]);
    expectAgreement(t.boolean, [true, 0]);
    expectAgreement(t.Int, [1, 1.5, '1']);
    expectAgreement(Int64, [1, 2n ** 63n - 1n, 2n ** 63n, 1.5, '1']);
    expectAgreement(IntOrString, [1, 'a', 1.5, null]);
    expectAgreement(constrained(t.string, { minLength: 2 }), ['a', 'ab', 1]);
    expectAgreement(t.tuple([t.string, t.number]), [['a', 1], ['a'], ['a', 'b']]);
  });

  it('builds each codec once (a cached closure)', () => {
    const c = t.partial({ a: t.string });
    expect(guard(c)).to.equal(guard(c));
  });

  for (const kind of [...fixtureKinds, ...kinds]) {
    for (const v of kind.versions) {
      describe(`${kind.kind}.${kind.group} ${v.name}`, () => {
        for (const [mode, interpret] of [
          ['lenient', lenient],
          ['strict', strict],
        ] as const) {
          const codec = interpret(v.codec);
          const g = guard(codec);
          const valid = arbitraryFor(v.codec, { partial: mode === 'lenient' });
          it(`${mode}: admits what the codec admits, and refuses what it refuses after any one change`, () => {
            fc.assert(
              fc.property(valid, (value) => g(value) === true && codec.is(value)),
              settings,
            );
            fc.assert(
              fc.property(valid, fc.nat(), anyJson, (value, at, replacement) => {
                const changed = replaceAt(value, at, replacement);
                return g(changed) === codec.is(changed);
              }),
              settings,
            );
          });
          it(`${mode}: agrees on arbitrary JSON`, () => {
            fc.assert(
              fc.property(anyJson, (value) => g(value) === codec.is(value)),
              settings,
            );
          });
        }
      });
    }
  }
});

/** Any JSON value, big integers included, and undefined (an absent field). */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.constant(undefined),
  fc.constantFrom({}, [], '', 0, -1, 1.5, null, true, '1Gi', '2025-01-06T08:00:00Z'),
);

/** A copy of `value` with the node numbered `at` (in depth-first order, root first) replaced. */
function replaceAt(value: unknown, at: number, replacement: unknown): unknown {
  const nodes: Array<{ parent: Record<string, unknown> | unknown[] | undefined; key: string | number }> = [
    { parent: undefined, key: '' },
  ];
  const copy = structuredClone(value);
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        nodes.push({ parent: v, key: i });
        walk(item);
      });
      return;
    }
    for (const key of Object.keys(v)) {
      nodes.push({ parent: v as Record<string, unknown>, key });
      walk((v as Record<string, unknown>)[key]);
    }
  };
  walk(copy);
  const node = nodes[at % nodes.length]!;
  if (node.parent === undefined) return replacement;
  Object.defineProperty(node.parent, node.key, {
    value: replacement,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}
