import { between, constrained, createRegistry, defineKind, Int32, t, version } from '../../src/index.js';
import { roundTripSuite } from '../../src/testing/roundTripSuite.js';

/**
 * A kind of four versions in a chain (three hops from end to end, where the shipped kinds have
 * two at most): a field renamed at every hop, and one only the first version holds. A route that
 * kept only the previous hop, or a stash origin found only one step back, fails here.
 */
const size = constrained(Int32, { minimum: 0 });
const a = version('v1alpha1', t.partial({ spec: t.partial({ n1: size, legacy: t.string }) }));
const b = version('v1beta1', t.partial({ spec: t.partial({ n2: size }) }));
const c = version('v1beta2', t.partial({ spec: t.partial({ n3: size }) }));
const d = version('v1', t.partial({ spec: t.partial({ n4: size }) }), { storage: true });

/** Rename one field of spec; `legacy` has no place after v1alpha1, so it is dropped (the stash keeps it). */
const rename = (from: string, to: string) => ({
  up: ({ spec, ...rest }: { spec?: Record<string, unknown> }) => {
    if (spec === undefined) return rest;
    const { [from]: value, legacy: _dropped, ...others } = spec;
    return { ...rest, spec: value === undefined ? others : { ...others, [to]: value } };
  },
});

const chain = defineKind({
  group: 'chain.example.com',
  kind: 'Chain',
  plural: 'chains',
  scope: 'Namespaced',
  versions: [a, b, c, d],
  converters: [
    ...between(a, b, { up: rename('n1', 'n2').up as never, down: rename('n2', 'n1').up as never }),
    ...between(b, c, { up: rename('n2', 'n3').up as never, down: rename('n3', 'n2').up as never }),
    ...between(c, d, { up: rename('n3', 'n4').up as never, down: rename('n4', 'n3').up as never }),
  ],
});

roundTripSuite(createRegistry([chain]), { http: false, numRuns: 60 });
