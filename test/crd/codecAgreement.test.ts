import { expect } from 'chai';
import fc from 'fast-check';
import { parse } from 'yaml';
import { kinds } from '../../converters/index.js';
import { buildCrd } from '../../src/crd/build.js';
import { renderCrd } from '../../src/crd/render.js';
import { arbitraryFor } from '../../src/testing/generators/arbitrary.js';
import { lenient, strict } from '../../src/interpreters/lenient.js';
import { schemaFixtureKinds } from './fixtures.js';
import { schemaArbitrary, valueProblems } from './schemaValues.js';

/**
 * The CRD and the codec must agree: an object the apiserver stores but the service cannot decode
 * fails every read of it (a rejection loop), and a field the codec has but the schema lacks is
 * pruned away silently. So, for every version of every kind, both directions are properties.
 * Depth: FC_NUM_RUNS (default 100) and FC_SEED (default fixed, so CI is reproducible).
 */
const settings = {
  numRuns: Number(process.env['FC_NUM_RUNS'] || 100),
  seed: Number(process.env['FC_SEED'] || 20261127),
};

const show = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** The body part of a version's schema, as the apiserver reads it (YAML parsed back). */
function bodySchemas(kind: (typeof kinds)[number]): Array<[string, Record<string, any>]> {
  const crd = parse(renderCrd(buildCrd(kind)));
  return crd.spec.versions.map((v: Record<string, any>) => {
    const root = structuredClone(v.schema.openAPIV3Schema);
    for (const field of ['apiVersion', 'kind', 'metadata']) delete root.properties[field];
    return [v.name as string, root];
  });
}

describe('CRD schemas and codecs agree', () => {
  describe('valueProblems (the apiserver side, as the properties below see it)', () => {
    const schema = {
      type: 'object',
      required: ['n'],
      properties: {
        n: { type: 'integer', format: 'int32', minimum: 0 },
        s: { type: 'string', nullable: true, maxLength: 2 },
      },
    };
    it('accepts a fitting value and explains each misfit', () => {
      expect(valueProblems(schema, { n: 1, s: null })).to.deep.equal([]);
      expect(valueProblems(schema, { n: -1, s: 'abc', x: 1 })).to.deep.equal([
        '$.n: less than 0',
        '$.s: longer than 2',
        '$.x: unknown to the schema, would be pruned',
      ]);
      expect(valueProblems(schema, { n: 2 ** 31 })).to.deep.equal(['$.n: out of int32 range']);
      expect(valueProblems(schema, {})).to.deep.equal(['$: required field n is missing']);
    });
  });

  for (const kind of [...schemaFixtureKinds, ...kinds]) {
    for (const [name, schema] of bodySchemas(kind)) {
      const version = kind.versions.find((v) => v.name === name)!;
      describe(`${kind.plural}.${kind.group} ${name}`, () => {
        it('(the test tools agree: generated values are ones the apiserver accepts)', () => {
          fc.assert(
            fc.property(schemaArbitrary(schema), (value) => {
              const problems = valueProblems(schema, value);
              if (problems.length) throw new Error(`schemaArbitrary made ${show(value)}: ${problems.join('; ')}`);
            }),
            settings,
          );
        });

        it('the apiserver accepts and keeps whole every value the codec admits', () => {
          fc.assert(
            fc.property(arbitraryFor(version.codec), (value) => {
              const problems = valueProblems(schema, value);
              if (problems.length)
                throw new Error(`the codec admits ${show(value)}, but the CRD: ${problems.join('; ')}`);
            }),
            settings,
          );
        });

        it('the service decodes every value the apiserver accepts', () => {
          const decoder = lenient(version.codec);
          fc.assert(
            fc.property(schemaArbitrary(schema), (value) => {
              if (!decoder.is(value))
                throw new Error(`the apiserver stores ${show(value)}, which the service cannot decode`);
            }),
            settings,
          );
        });

        it('the codec, with its constraints, admits every value the apiserver accepts', () => {
          fc.assert(
            fc.property(schemaArbitrary(schema), (value) => {
              if (!strict(version.codec).is(value))
                throw new Error(`the apiserver accepts ${show(value)}, which the codec rejects`);
            }),
            settings,
          );
        });
      });
    }
  }
});
