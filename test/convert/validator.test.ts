import { expect } from 'chai';
import fc from 'fast-check';
import { registry } from '../../converters/index.js';
import { arbitraryFor } from '../../src/testing/generators/arbitrary.js';
import { guard } from '../../src/interpreters/guard.js';
import { lenient, strict } from '../../src/interpreters/lenient.js';
import { formatValidationProblems, validator } from '../../src/validate/validator.js';
import { shippedGenerators } from '../converters/generators.js';

const params = { numRuns: 150, seed: 42 };

describe('validator (what the apiserver would hold)', () => {
  for (const kind of registry.kinds) {
    for (const [name, version] of kind.versions) {
      const codec = version.def.codec;
      it(`${kind.def.kind} ${name}: agrees with the strict codec on generated and broken values`, () => {
        const v = validator(codec);
        fc.assert(
          fc.property(arbitraryFor(codec, { generators: shippedGenerators }), (value) => {
            expect(v.valid(value), formatValidationProblems(v.problems(value))).to.equal(true);
            expect(strict(codec).is(value)).to.equal(true);
          }),
          params,
        );
        fc.assert(
          fc.property(arbitraryFor(codec, { partial: true, generators: shippedGenerators }), (value) => {
            expect(v.pruneFree(value)).to.equal(true);
            expect(v.valid(value)).to.equal(strict(codec).is(value));
          }),
          params,
        );
      });
    }
  }

  // The service skips the decoder for objects either level admits (convert/convertObject.ts), and
  // checks the last hop of a route with the validator alone: both levels must imply the decoder.
  for (const kind of registry.kinds) {
    for (const [name, version] of kind.versions) {
      it(`${kind.def.kind} ${name}: whatever either level admits, the decoder admits (broken values too)`, () => {
        const v = validator(version.def.codec);
        const decodes = guard(lenient(version.def.codec));
        fc.assert(
          fc.property(
            broken(arbitraryFor(version.def.codec, { partial: true, generators: shippedGenerators })),
            (value) => {
              if (v.valid(value) || v.pruneFree(value)) expect(decodes(value)).to.equal(true);
            },
          ),
          params,
        );
      });
    }
  }

  it('reports missing, pruned and invalid places with their paths, never the values', () => {
    const v1 = registry.lookup('platform.example.com', 'Database')!.versions.get('v1')!.validator;
    const bad = {
      spec: { capacityBytes: 1, storageBytes: 2, maintenanceWindow: { day: 'Monday', startHour: 99 } },
      extra: 'secret',
    };
    expect(v1.valid(bad)).to.equal(false);
    expect(v1.pruneFree(bad)).to.equal(false);
    const text = formatValidationProblems(v1.problems(bad), 10);
    expect(text).to.contain('.spec.engine: required string(minLength=1) missing');
    expect(text).to.contain('.spec.maintenanceWindow.startHour: expected Int32(minimum=0, maximum=23)');
    expect(text).to.contain('.spec.storageBytes: not in the schema');
    expect(text).to.contain('.extra: not in the schema');
    expect(text).to.not.contain('secret');
    // Partial objects: only types and pruning.
    expect(v1.problems({ spec: { maintenanceWindow: { startHour: 99 } } }, 'prune')).to.deep.equal([]);
  });

  it('lets free-form content and free-keyed maps hold any key', () => {
    const v1 = registry.lookup('batch.tutorial.kubebuilder.io', 'CronJob')!.versions.get('v1')!.validator;
    expect(v1.valid({ spec: { schedule: '@hourly', jobTemplate: { anything: { goes: [1] } } }, status: {} })).to.equal(
      true,
    );
    expect(v1.valid({ spec: { schedule: '0 0 1 1 * 2030', jobTemplate: {} } })).to.equal(false);
  });
});

/**
 * Values with one place replaced by anything (another type, a big integer, an extra key, an
 * empty container) or removed: what a user or a converter bug may produce.
 */
function broken(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const odd = fc.oneof(
    fc.anything({ withBigInt: true, maxDepth: 2 }),
    fc.constantFrom(null, '', 0, -1, 2 ** 31, 9007199254740993n, [], {}, { unknownKey: 1 }),
  );
  return fc.tuple(valid, fc.nat(), odd, fc.boolean()).map(([value, at, replacement, remove]) => {
    const places: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach((item, i) => (places.push({ parent: v, key: i }), walk(item)));
      else if (typeof v === 'object' && v !== null)
        for (const [k, item] of Object.entries(v))
          (places.push({ parent: v as Record<string, unknown>, key: k }), walk(item));
    };
    const copy = structuredClone(value);
    walk(copy);
    if (places.length === 0) return replacement;
    const { parent, key } = places[at % places.length]!;
    if (remove && !Array.isArray(parent)) delete parent[key as string];
    else (parent as Record<string | number, unknown>)[key] = replacement;
    return copy;
  });
}
