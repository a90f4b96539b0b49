import { describe, it, before, after } from 'mocha';
import fc from 'fast-check';
import { convertObject, type ConvertResult } from '../convert/convertObject.js';
import { decodeProblems, formatProblems } from '../convert/decode.js';
import { STASH_ANNOTATION } from '../convert/stash.js';
import { arbitraryFor } from '../interpreters/arbitrary.js';
import { lenient } from '../interpreters/lenient.js';
import { metadataArbitrary } from '../interpreters/metadataArbitrary.js';
import { canonicalJson, parseJson, stringifyJson } from '../json/index.js';
import type { RegisteredKind, Registry } from '../kinds/registry.js';
import { roundTripOverHttp } from './overHttp.js';

/**
 * The lossless guarantee as property tests, derived from the codecs alone: call it from a mocha
 * file with your registry and every kind, every ordered pair of served versions, is checked.
 *
 *   import { registry } from '../converters/index.js';
 *   import { roundTripSuite } from 'crdconv/src/testing/roundTripSuite.js';
 *   roundTripSuite(registry);
 *
 * Depth: FC_NUM_RUNS (default 200 per property) and FC_SEED (default fixed, so CI is
 * reproducible; a failure prints the seed and the path to replay it with FC_SEED and FC_PATH).
 */
export interface RoundTripOptions {
  readonly numRuns?: number;
  readonly seed?: number;
  /** Also send mixed-version reviews through a real HTTPS webhook (default true). */
  readonly http?: boolean;
}

type Obj = Record<string, unknown>;

export function roundTripSuite(registry: Registry, options: RoundTripOptions = {}): void {
  const settings = runSettings(options);
  describe(`lossless round trips (seed ${settings.seed}, ${settings.numRuns} runs per property)`, () => {
    for (const kind of registry.kinds) kindSuite(registry, kind, settings);
    if (options.http ?? true) httpSuite(registry, settings);
  });
}

interface Settings {
  readonly numRuns: number;
  readonly seed: number;
  readonly path?: string;
}

function runSettings(options: RoundTripOptions): Settings {
  const fromEnv = (name: string): number | undefined => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    numRuns: fromEnv('FC_NUM_RUNS') ?? options.numRuns ?? 200,
    seed: fromEnv('FC_SEED') ?? options.seed ?? 20261127,
    ...(process.env.FC_PATH && { path: process.env.FC_PATH }),
  };
}

/** Run a property; on failure, throw a report naming what was checked and how to replay it. */
function check<T>(title: string, arb: fc.Arbitrary<T>, predicate: (value: T) => void, settings: Settings): void {
  const details = fc.check(
    fc.property(arb, (v) => {
      predicate(v);
    }),
    { numRuns: settings.numRuns, seed: settings.seed, ...(settings.path && { path: settings.path }) },
  );
  if (!details.failed) return;
  const counterexample = details.counterexample ? stringifyJson(details.counterexample[0]) : '(none)';
  throw new Error(
    `${title}\n  replay: FC_SEED=${details.seed} FC_PATH=${details.counterexample === null ? '' : details.counterexamplePath}\n` +
      `  counterexample (shrunk): ${counterexample.length > 4000 ? counterexample.slice(0, 4000) + '...' : counterexample}\n` +
      `  ${(details.errorInstance as Error | undefined)?.message ?? ''}`,
  );
}

/** What crosses the wire: serialized and parsed exactly, as the apiserver would see it. */
const wire = (o: unknown): Obj => parseJson(stringifyJson(o)) as Obj;
const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (!same(actual, expected)) {
    throw new Error(
      `${what}\n    expected: ${canonicalJson(expected).slice(0, 2000)}\n    actual:   ${canonicalJson(actual).slice(0, 2000)}`,
    );
  }
}

function converted(result: ConvertResult, what: string): Obj {
  if (!result.ok) throw new Error(`${what} failed: ${result.failure.message}`);
  return wire(result.object);
}

/** Whole objects of one version: generated metadata around a body the codec admits. */
export function objectArbitrary(kind: RegisteredKind, version: string, partial = false): fc.Arbitrary<Obj> {
  const def = kind.versions.get(version)!.def;
  const apiVersion = `${kind.def.group}/${version}`;
  const metadata = metadataArbitrary({
    excludeAnnotationKeys: [STASH_ANNOTATION],
    namespaced: kind.def.scope === 'Namespaced',
    apiVersions: [...kind.versions.keys()].map((v) => `${kind.def.group}/${v}`),
  });
  const meta: fc.Arbitrary<unknown> = partial
    ? fc.oneof(metadata, fc.constant(null), fc.constant(undefined))
    : metadata;
  return fc.tuple(meta, arbitraryFor(def.codec, { partial })).map(([m, body]) => {
    const head: Obj = { apiVersion, kind: kind.def.kind };
    if (m !== undefined) head.metadata = m;
    return { ...head, ...(body as Obj) };
  });
}

function kindSuite(registry: Registry, kind: RegisteredKind, settings: Settings): void {
  const name = `${kind.def.kind}.${kind.def.group}`;
  const served = [...kind.versions.values()].filter((v) => v.def.served).map((v) => v.def.name);
  const gv = (v: string) => `${kind.def.group}/${v}`;
  const convert = (o: unknown, v: string, what: string) => converted(convertObject(registry, o, gv(v)), what);

  describe(name, () => {
    for (const a of served) {
      it(`${a}: generated objects decode under the ${a} codec (the generators do not lie)`, () => {
        const codec = kind.versions.get(a)!.def.codec;
        check(
          `${name} ${a}: generated object rejected by its codec`,
          objectArbitrary(kind, a),
          (o) => {
            const { apiVersion: _v, kind: _k, metadata: _m, ...body } = o;
            const problems = decodeProblems(codec, body);
            if (problems.length) throw new Error(formatProblems(problems));
          },
          settings,
        );
        check(
          `${name} ${a}: generated partial object rejected by the lenient codec`,
          objectArbitrary(kind, a, true),
          (o) => {
            const { apiVersion: _v, kind: _k, metadata: _m, ...body } = o;
            const problems = decodeProblems(lenient(codec), body);
            if (problems.length) throw new Error(formatProblems(problems));
          },
          settings,
        );
      });

      for (const converter of kind.def.converters.filter((c) => c.from === a)) {
        it(`converter ${a} -> ${converter.to} leaves its input untouched`, () => {
          // The service hands the same body to several converters (there, and back to see what a
          // conversion loses): a converter that changes its input corrupts what the next one sees.
          const body = arbitraryFor(kind.versions.get(a)!.def.codec, { partial: true });
          check(
            `${name} converter ${a} -> ${converter.to} mutated its input`,
            body,
            (input) => {
              const before = canonicalJson(input);
              converter.convert(input as never);
              expectSame(canonicalJson(input), before, 'the converter changed the object it was given');
            },
            settings,
          );
        });
      }

      it(`${a} -> ${a} changes nothing`, () => {
        check(
          `${name} ${a} -> ${a}`,
          objectArbitrary(kind, a),
          (o) => {
            expectSame(convert(o, a, `${a} -> ${a}`), o, 'converting to the own version changed the object');
          },
          settings,
        );
      });

      for (const b of served) {
        if (a === b) continue;
        it(`${a} -> ${b} -> ${a} is the identity, metadata and annotations included`, () => {
          const trip = (o: Obj) => {
            const there = convert(wire(o), b, `${a} -> ${b}`);
            expectSame(there.apiVersion, gv(b), 'apiVersion is not the desired one');
            expectSame(
              there.metadata === undefined ? null : ((there.metadata as Obj | null)?.name ?? null),
              (o.metadata as Obj | null | undefined)?.name ?? null,
              'metadata.name changed',
            );
            expectSame(convert(there, a, `${b} -> ${a}`), wire(o), `${a} -> ${b} -> ${a} is not the identity`);
          };
          check(`${name} ${a} -> ${b} -> ${a}`, objectArbitrary(kind, a), trip, settings);
          check(`${name} ${a} -> ${b} -> ${a} (partial objects)`, objectArbitrary(kind, a, true), trip, settings);
        });

        it(`${a} -> ${b}, edited in ${b}, -> ${a} -> ${b}: the edit survives`, () => {
          const arb = fc.tuple(
            objectArbitrary(kind, a),
            arbitraryFor(kind.versions.get(b)!.def.codec),
            fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }),
          );
          check(
            `${name} edit-wins ${a} -> ${b} (edited) -> ${a} -> ${b}`,
            arb,
            ([o, fresh, bits]) => {
              const there = convert(wire(o), b, `${a} -> ${b}`);
              const { apiVersion, kind: k, metadata, ...body } = there;
              const edited = wire({
                apiVersion,
                kind: k,
                ...(metadata !== undefined && { metadata }),
                ...(mix(body, fresh, bits) as Obj),
              });
              const home = convert(edited, a, `${b} (edited) -> ${a}`);
              const again = convert(home, b, `${a} -> ${b} after the edit`);
              const strip = (x: Obj) => {
                const { metadata: _m, ...rest } = x;
                return rest;
              };
              expectSame(strip(again), strip(edited), 'an edit made through the other version did not survive');
            },
            settings,
          );
        });

        for (const c of served) {
          if (c === a || c === b) continue;
          it(`${a} -> ${b} -> ${c} equals ${a} -> ${c} (path independence)`, () => {
            check(
              `${name} ${a} -> ${b} -> ${c} vs ${a} -> ${c}`,
              objectArbitrary(kind, a),
              (o) => {
                const direct = convert(wire(o), c, `${a} -> ${c}`);
                const via = convert(convert(wire(o), b, `${a} -> ${b}`), c, `${b} -> ${c}`);
                expectSame(via, direct, `${a} -> ${b} -> ${c} differs from ${a} -> ${c}`);
              },
              settings,
            );
          });
        }
      }
    }
  });
}

/**
 * An edit: the converted body with some branches replaced by freshly generated ones. Which
 * branches is decided by `bits`, walked in order.
 */
function mix(base: unknown, fresh: unknown, bits: readonly boolean[], at = { i: 0 }): unknown {
  const bit = () => bits[at.i++ % bits.length]!;
  if (isObj(base) && isObj(fresh)) {
    const out: Obj = { ...base };
    for (const key of new Set([...Object.keys(base), ...Object.keys(fresh)])) {
      if (!bit()) continue;
      const value = Object.hasOwn(fresh, key)
        ? mix(Object.hasOwn(base, key) ? base[key] : undefined, fresh[key], bits, at)
        : undefined;
      if (value === undefined) delete out[key];
      else Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return bit() ? fresh : (base ?? fresh);
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function httpSuite(registry: Registry, settings: Settings): void {
  describe('through the HTTPS endpoint', () => {
    let hook: Awaited<ReturnType<typeof roundTripOverHttp>> | undefined;
    before(async () => {
      hook = await roundTripOverHttp(registry);
    });
    after(() => hook?.close());
    for (const kind of registry.kinds) {
      const versions = [...kind.versions.values()].filter((v) => v.def.served).map((v) => v.def.name);
      it(`${kind.def.kind}: one review of many objects of mixed versions comes back in order, each exact`, async () => {
        const arb = fc.array(fc.oneof(...versions.map((v) => objectArbitrary(kind, v))), {
          minLength: 1,
          maxLength: 25,
        });
        const runs = Math.max(5, Math.floor(settings.numRuns / 10));
        const samples = fc.sample(arb, { numRuns: runs, seed: settings.seed });
        for (const objects of samples) {
          for (const target of versions) {
            const desired = `${kind.def.group}/${target}`;
            const answered = await hook!.convert(objects.map(wire), desired);
            const expected = objects
              .filter((o) => o.apiVersion !== desired)
              .map((o) => converted(convertObject(registry, wire(o), desired), 'in-process conversion'));
            expectSame(
              answered,
              expected,
              `${kind.def.kind}: the endpoint's answer differs from in-process conversion`,
            );
            const back = answered.map((o, i) =>
              converted(
                convertObject(registry, o, String(objects.filter((x) => x.apiVersion !== desired)[i]!.apiVersion)),
                'way back',
              ),
            );
            expectSame(
              back,
              objects.filter((o) => o.apiVersion !== desired).map(wire),
              `${kind.def.kind}: objects did not come back exact after the endpoint`,
            );
          }
        }
      });
    }
  });
}
