import { expect } from 'chai';
import * as t from 'io-ts';
import { FreeForm, Int64, annotate, constrained } from '../../src/model/index.js';
import { inspect, unhandled, type CodecKind } from '../../src/model/inspect.js';

/**
 * `inspect` is the one reader of io-ts's `_tag`: every combinator the models use comes out as its
 * node, with the parts the interpreters walk.
 */
describe('inspect: one node per io-ts combinator', () => {
  const Obj = t.type({ a: t.string });
  const cases: Array<[string, t.Mixed, CodecKind]> = [
    ['t.string', t.string, 'string'],
    ['t.number', t.number, 'number'],
    ['t.boolean', t.boolean, 'boolean'],
    ['t.null', t.null, 'null'],
    ['t.undefined', t.undefined, 'undefined'],
    ['t.void', t.void, 'undefined'],
    ['t.unknown', t.unknown, 'unknown'],
    ['t.UnknownRecord', t.UnknownRecord, 'unknownRecord'],
    ['t.UnknownArray', t.UnknownArray, 'unknownArray'],
    ['t.literal', t.literal('x'), 'literal'],
    ['t.keyof', t.keyof({ a: null, b: null }), 'keyof'],
    ['t.array', t.array(t.string), 'array'],
    ['t.readonlyArray', t.readonlyArray(t.string), 'array'],
    ['t.type', Obj, 'props'],
    ['t.partial', t.partial({ a: t.string }), 'props'],
    ['t.record', t.record(t.string, t.number), 'record'],
    ['t.union', t.union([t.string, t.null]), 'union'],
    ['t.intersection', t.intersection([Obj, t.partial({ b: t.number })]), 'intersection'],
    ['t.tuple', t.tuple([t.string, t.number]), 'tuple'],
    ['t.exact', t.exact(Obj), 'wrapper'],
    ['t.strict', t.strict({ a: t.string }), 'wrapper'],
    ['t.readonly', t.readonly(Obj), 'wrapper'],
    ['t.Int', t.Int, 'refinement'],
    [
      't.brand',
      t.brand(t.number, (n): n is t.Branded<number, { readonly P: unique symbol }> => n > 0, 'P'),
      'refinement',
    ],
    ['constrained', constrained(t.string, { minLength: 1 }), 'refinement'],
    ['annotate', annotate(t.string, { description: 'd' }), 'refinement'],
    ['t.recursion', t.recursion('R', () => t.string), 'recursive'],
    ['a LeafType', Int64, 'leaf'],
    ['FreeForm', FreeForm, 'leaf'],
    ['a custom type', new t.Type('custom', t.string.is, t.string.validate, t.identity), 'leaf'],
    ['t.bigint', t.bigint, 'leaf'],
  ];
  for (const [label, codec, kind] of cases) {
    it(`${label} is ${kind}`, () => {
      const node = inspect(codec);
      expect(node.kind).to.equal(kind);
      expect(node.codec).to.equal(codec);
    });
  }

  it('gives each node its parts', () => {
    const arr = inspect(t.readonlyArray(t.number));
    expect(arr).to.include({ kind: 'array', item: t.number, readonly: true });
    expect(inspect(Obj)).to.include({ kind: 'props', props: Obj.props, required: true });
    expect(inspect(t.partial(Obj.props))).to.include({ kind: 'props', required: false });
    expect(inspect(t.record(t.string, t.number))).to.include({ domain: t.string, codomain: t.number });
    expect(inspect(t.exact(Obj))).to.include({ kind: 'wrapper', inner: Obj });
    expect(inspect(t.literal(3))).to.include({ kind: 'literal', value: 3 });
    const u = t.union([t.string, t.null]);
    expect(inspect(u)).to.deep.include({ kind: 'union', members: [t.string, t.null] });
    const c = constrained(t.string, { minLength: 2 });
    const r = inspect(c);
    expect(r).to.include({ kind: 'refinement', base: t.string, name: c.name });
    if (r.kind === 'refinement') expect([r.predicate('a'), r.predicate('ab')]).to.deep.equal([false, true]);
  });

  it('unhandled throws for a node no case took', () => {
    expect(() => unhandled({ kind: 'new', codec: t.string } as never)).to.throw(/new/);
  });
});
