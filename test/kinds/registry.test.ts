import { expect } from 'chai';
import { between, createRegistry, defineKind, RegistryError, t, version } from '../../src/index.js';

const a = version('v1alpha1', t.type({ a: t.string }));
const b = version('v1beta1', t.type({ a: t.string }));
const c = version('v1', t.type({ a: t.string }), { storage: true });
const d = version('v2', t.type({ a: t.string }));
const same = { up: (x: object) => x, down: (x: object) => x };
const kind = (over: Partial<Parameters<typeof defineKind>[0]> = {}) =>
  defineKind({
    group: 'x.example.com',
    kind: 'Thing',
    plural: 'things',
    scope: 'Namespaced',
    versions: [a, b, c, d],
    converters: [...between(a, b, same), ...between(b, c, same), ...between(c, d, same)],
    ...over,
  });

const problemsOf = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(RegistryError);
    return (e as RegistryError).problems;
  }
  throw new Error('expected the registry to refuse');
};

describe('registry', () => {
  it('routes across several hops, both ways, shortest first', () => {
    const registered = createRegistry([kind()]).lookup('x.example.com', 'Thing')!;
    const hops = (from: string, to: string) => registered.route(from, to).map((cv) => `${cv.from}>${cv.to}`);
    expect(hops('v1alpha1', 'v2')).to.deep.equal(['v1alpha1>v1beta1', 'v1beta1>v1', 'v1>v2']);
    expect(hops('v2', 'v1alpha1')).to.deep.equal(['v2>v1', 'v1>v1beta1', 'v1beta1>v1alpha1']);
    expect(hops('v1', 'v1')).to.deep.equal([]);
    expect(registered.storageVersion).to.equal('v1');
  });

  it('looks kinds up by group and kind only', () => {
    const registry = createRegistry([kind()]);
    expect(registry.lookup('x.example.com', 'Thing')).to.not.equal(undefined);
    expect(registry.lookup('y.example.com', 'Thing')).to.equal(undefined);
    expect(registry.lookup('x.example.com', 'Other')).to.equal(undefined);
  });

  it('refuses a version that cannot reach every other one, saying which pairs', () => {
    const problems = problemsOf(() =>
      createRegistry([kind({ converters: [...between(a, b, same), ...between(b, c, same)] })]),
    );
    expect(problems).to.include('x.example.com/Thing: no chain of converters leads from v1 to v2');
    expect(problems).to.include('x.example.com/Thing: no chain of converters leads from v2 to v1alpha1');
  });

  it('refuses a one-way converter that leaves the way back missing', () => {
    const oneWay = [...between(a, b, same), ...between(b, c, same), ...between(c, d, same)].filter(
      (cv) => !(cv.from === 'v2' && cv.to === 'v1'),
    );
    expect(problemsOf(() => createRegistry([kind({ converters: oneWay })]))).to.include(
      'x.example.com/Thing: no chain of converters leads from v2 to v1',
    );
  });

  it('refuses a converter registered twice', () => {
    const problems = problemsOf(() =>
      createRegistry([
        kind({
          converters: [...between(a, b, same), ...between(a, b, same), ...between(b, c, same), ...between(c, d, same)],
        }),
      ]),
    );
    expect(problems).to.include('x.example.com/Thing: converter v1alpha1 -> v1beta1 registered twice');
  });

  it('refuses a converter naming a version that has no codec', () => {
    const ghost = version('v3', t.type({}));
    const problems = problemsOf(() =>
      createRegistry([kind({ converters: [...kind().converters, ...between(d, ghost, same)] })]),
    );
    expect(problems).to.include('x.example.com/Thing: converter v2 -> v3 names version v3, which has no codec');
  });

  it('refuses zero or two storage versions and a kind declared twice', () => {
    expect(problemsOf(() => createRegistry([kind({ versions: [a, b, { ...c, storage: false }, d] })]))[0]).to.match(
      /exactly one version must be the storage version, found none/,
    );
    expect(problemsOf(() => createRegistry([kind({ versions: [a, b, c, { ...d, storage: true }] })]))[0]).to.match(
      /found v1, v2/,
    );
    expect(problemsOf(() => createRegistry([kind(), kind()]))).to.include('x.example.com/Thing: kind declared twice');
  });

  it('registers exactly the kinds it is given, each under its group and kind', () => {
    const other = kind({ group: 'y.example.com', kind: 'Other', plural: 'others' });
    const registry = createRegistry([kind(), other]);
    expect(registry.kinds.map((k) => `${k.def.kind}.${k.def.group}`)).to.deep.equal([
      'Thing.x.example.com',
      'Other.y.example.com',
    ]);
    expect(registry.lookup('y.example.com', 'Other')?.def).to.equal(other);
    expect(createRegistry([]).kinds).to.deep.equal([]);
  });
});
