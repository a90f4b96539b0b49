// mocha's BDD globals (describe, it, before, after): those of the instance running the test file.
// Imported from 'mocha', they would bind whichever copy of mocha resolves first (a mutation
// tester's runner brings its own).
import fc from 'fast-check';
import { convertObject, type ConvertResult } from '../convert/convertObject.js';
import { decodeProblems, formatProblems } from '../convert/decode.js';
import { ABSENT, getAt, type JsonPath, setAt } from '../json/path.js';
import { applyRoute } from '../convert/route.js';
import { STASH_ANNOTATION, takeStash } from '../convert/stash.js';
import { arbitraryFor, type Generators } from './generators/arbitrary.js';
import { differences } from '../json/diff.js';
import { formatValidationProblems, type Validator } from '../validate/validator.js';
import { hasPlace, lossyFor, sharedPaths } from './codecPaths.js';
import { lenient } from '../interpreters/lenient.js';
import { metadataArbitrary } from './generators/metadataArbitrary.js';
import { canonicalJson, jsonEqual, parseJson, stringifyJson } from '../json/index.js';
import type { RegisteredKind, Registry } from '../kinds/registry.js';
import { roundTripOverHttp } from './overHttp.js';
import { formatJsonPath } from '../json/path.js';

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
  /**
   * Generators of your own for this registry: leaves by name, and the codecs whose values your
   * converters parse (cron lines, `host:port`, image references), by codec object. Passed here,
   * never registered globally, so a test file run alone generates what it does in the full run.
   */
  readonly generators?: Generators;
}

type Obj = Record<string, unknown>;

export function roundTripSuite(registry: Registry, options: RoundTripOptions = {}): void {
  const settings = runSettings(options);
  describe(`lossless round trips (seed ${settings.seed}, ${settings.numRuns} runs per property)`, () => {
    // A registry without kinds (a wrong import, an empty list) would generate no property at all
    // and pass: it fails instead.
    if (registry.kinds.length === 0)
      it('has kinds to test', () => {
        throw new Error('roundTripSuite was given a registry with no kinds: nothing would be tested');
      });
    for (const kind of registry.kinds) kindSuite(registry, kind, settings);
    if (options.http ?? true) httpSuite(registry, settings);
  });
}

interface Settings {
  readonly numRuns: number;
  readonly seed: number;
  readonly path?: string;
  readonly generators: Generators;
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
    generators: options.generators ?? {},
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
export function objectArbitrary(
  kind: RegisteredKind,
  version: string,
  partial = false,
  generators: Generators = {},
): fc.Arbitrary<Obj> {
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
  return fc.tuple(meta, arbitraryFor(def.codec, { partial, generators })).map(([m, body]) => {
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
  const { generators } = settings;
  const objects = (v: string, partial = false) => objectArbitrary(kind, v, partial, generators);
  const codecOf = (v: string) => kind.versions.get(v)!.def.codec;
  const validatorOf = (v: string) => kind.versions.get(v)!.validator;

  describe(name, () => {
    for (const a of served) {
      it(`${a}: generated objects decode under the ${a} codec (the generators do not lie)`, () => {
        const codec = kind.versions.get(a)!.def.codec;
        check(
          `${name} ${a}: generated object rejected by its codec`,
          objects(a),
          (o) => {
            const { apiVersion: _v, kind: _k, metadata: _m, ...body } = o;
            const problems = decodeProblems(codec, body);
            if (problems.length) throw new Error(formatProblems(problems));
          },
          settings,
        );
        check(
          `${name} ${a}: generated partial object rejected by the lenient codec`,
          objects(a, true),
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
          const body = arbitraryFor(codecOf(a), { partial: true, generators });
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
          objects(a),
          (o) => {
            expectSame(convert(o, a, `${a} -> ${a}`), o, 'converting to the own version changed the object');
          },
          settings,
        );
      });

      for (const b of served) {
        if (a === b) continue;
        const route = kind.route(a, b);
        const shared = sharedPaths([a, ...route.map((c) => c.to)].map(codecOf));

        it(`${a} -> ${b} gives an object ${b} admits whole; fields alike in both come through unchanged; a stash only where ${b} has no place or a converter declares the loss`, () => {
          check(
            `${name} ${a} -> ${b} correctness`,
            objects(a),
            (o) => {
              const input = bodyOf(wire(o));
              const there = convert(wire(o), b, `${a} -> ${b}`);
              const body = bodyOf(there);
              const target = validatorOf(b);
              if (!target.valid(body)) {
                throw new Error(
                  `${a} -> ${b} gave an object ${b} does not admit: ${formatValidationProblems(target.problems(body))}`,
                );
              }
              for (const p of shared) {
                expectSame(
                  show(getAt(body, p)),
                  show(getAt(input, p)),
                  `${formatJsonPath(p)} has the same schema in ${a} and ${b} but did not come through unchanged`,
                );
              }
              justifyStash(kind, a, b, input, there, shared);
            },
            settings,
          );
          check(
            `${name} ${a} -> ${b} (partial objects) loses nothing to pruning`,
            objects(a, true),
            (o) => {
              const body = bodyOf(convert(wire(o), b, `${a} -> ${b}`));
              const target = validatorOf(b);
              if (!target.pruneFree(body)) {
                throw new Error(
                  `${a} -> ${b} gave fields ${b} would prune: ${formatValidationProblems(target.problems(body, 'prune'))}`,
                );
              }
            },
            settings,
          );
        });

        it(`${a} -> ${b} -> ${a} is the identity, metadata and annotations included`, () => {
          const trip = (partial: boolean) => (o: Obj) => {
            const original = wire(o);
            const there = convert(original, b, `${a} -> ${b}`);
            expectSame(there.apiVersion, gv(b), 'apiVersion is not the desired one');
            expectSame(
              there.metadata === undefined ? null : ((there.metadata as Obj | null)?.name ?? null),
              (o.metadata as Obj | null | undefined)?.name ?? null,
              'metadata.name changed',
            );
            const back = convert(there, a, `${b} -> ${a}`);
            if (same(back, original)) return;
            // A partial object: a stashed value that lacks required fields is not restored onto a
            // whole object (such a stash could be forged), so it may be missing on the way back.
            if (partial && agreeUpToIncomplete(back, original, validatorOf(a))) return;
            expectSame(back, original, `${a} -> ${b} -> ${a} is not the identity`);
          };
          check(`${name} ${a} -> ${b} -> ${a}`, objects(a), trip(false), settings);
          check(`${name} ${a} -> ${b} -> ${a} (partial objects)`, objects(a, true), trip(true), settings);
        });

        it(`${a} -> ${b}, edited in ${b}, -> ${a} -> ${b}: the edit survives, and so does ${a}-only data it did not touch`, () => {
          for (const partial of [false, true]) {
            const arb = fc.tuple(
              objects(a, partial),
              arbitraryFor(codecOf(b), { partial, generators }),
              fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }),
            );
            check(
              `${name} edit-wins ${a} -> ${b} (edited) -> ${a} -> ${b}${partial ? ' (partial objects)' : ''}`,
              arb,
              ([o, fresh, bits]) => {
                const original = wire(o);
                const there = convert(original, b, `${a} -> ${b}`);
                const { apiVersion, kind: k, metadata, ...body } = there;
                const edited = wire({
                  apiVersion,
                  kind: k,
                  ...(metadata !== undefined && { metadata }),
                  ...(mix(body, fresh, bits) as Obj),
                });
                const home = convert(edited, a, `${b} (edited) -> ${a}`);
                const again = convert(home, b, `${a} -> ${b} after the edit`);
                if (!(partial && agreeUpToIncomplete(bodyOf(again), bodyOf(edited), validatorOf(b))))
                  expectSame(bodyOf(again), bodyOf(edited), 'an edit made through the other version did not survive');
                // An edit a cannot hold exactly (two spaces in a cron line) starts over from b: the
                // stash of a-only data is superseded then. Otherwise that data must survive.
                const editedBody = bodyOf(edited);
                if (!jsonEqual(applyRoute(kind, a, b, applyRoute(kind, b, a, editedBody, false), false), editedBody))
                  return;
                const homeBody = bodyOf(home);
                const plainHome = applyRoute(kind, b, a, editedBody, false);
                const seen = applyRoute(kind, a, b, plainHome, false);
                for (const p of onlyIn(kind, a, b, bodyOf(original))) {
                  if (getAt(plainHome, p.slice(0, -1)) === ABSENT) continue; // the edit removed its place
                  // Still out of b's sight with the edit made (a cron field beside `every`, a
                  // version without an engine are hidden only until the edit shows them)?
                  const kept = setAt(plainHome, p, getAt(bodyOf(original), p));
                  if (!jsonEqual(applyRoute(kind, a, b, kept, false), seen)) continue;
                  expectSame(
                    show(getAt(homeBody, p)),
                    show(getAt(bodyOf(original), p)),
                    `${a}-only data at ${formatJsonPath(p)}, which ${b} cannot see, was lost by an edit through ${b}`,
                  );
                }
              },
              settings,
            );
          }
        });

        for (const c of served) {
          if (c === a || c === b) continue;
          it(`${a} -> ${b} -> ${c} equals ${a} -> ${c} (path independence)`, () => {
            const independent = (partial: boolean) => (o: Obj) => {
              const direct = convert(wire(o), c, `${a} -> ${c}`);
              const via = convert(convert(wire(o), b, `${a} -> ${b}`), c, `${b} -> ${c}`);
              if (same(via, direct)) return;
              // Partial objects: up to incomplete values a whole intermediate form could not restore.
              if (partial && agreeUpToIncomplete(bodyOf(via), bodyOf(direct), validatorOf(c))) {
                expectSame(withoutStash(via.metadata), withoutStash(direct.metadata), 'metadata differs');
                return;
              }
              expectSame(via, direct, `${a} -> ${b} -> ${c} differs from ${a} -> ${c}`);
            };
            check(`${name} ${a} -> ${b} -> ${c} vs ${a} -> ${c}`, objects(a), independent(false), settings);
            check(
              `${name} ${a} -> ${b} -> ${c} vs ${a} -> ${c} (partial)`,
              objects(a, true),
              independent(true),
              settings,
            );
          });
        }
      }

      const other = served.find((v) => v !== a);
      if (other !== undefined) {
        it(`${a}: a malformed stash is left in place and reported; the conversion is otherwise unchanged`, () => {
          const malformed = fc.constantFrom(
            '{',
            '{"v":2}',
            '[]',
            '{"v":1,"origin":"v0","entries":[]}',
            `{"v":1,"origin":"${a}","entries":[]}`,
            '{"v":1,"origin":"x","entries":[{"p":["spec"],"h":"-"},{"p":["spec","a"],"h":"-"}]}',
          );
          check(
            `${name} ${a} -> ${other} with a malformed stash`,
            fc.tuple(objects(a), malformed),
            ([o, bad]) => {
              const clean = convert(wire(o), other, `${a} -> ${other}`);
              const meta = (o.metadata ?? {}) as Obj;
              const annotations = { ...((meta.annotations as Obj | undefined) ?? {}), [STASH_ANNOTATION]: bad };
              const result = convertObject(registry, wire({ ...o, metadata: { ...meta, annotations } }), gv(other));
              const out = converted(result, `${a} -> ${other} with a malformed stash`);
              if (!result.ok || result.stash !== 'rejected' || !result.stashProblem)
                throw new Error('a malformed stash was not reported as rejected');
              expectSame(bodyOf(out), bodyOf(clean), 'a malformed stash changed the conversion');
              const left = ((out.metadata as Obj).annotations as Obj)[STASH_ANNOTATION];
              const fresh = takeStash(clean.metadata).stash;
              if (fresh.kind === 'found') {
                // A new stash had to be written: it replaces the malformed one, and is what it would be without it.
                expectSame(takeStash(out.metadata).stash, fresh, 'the stash written over a malformed one differs');
              } else expectSame(left, bad, 'a malformed stash was not left in place');
            },
            settings,
          );
        });
      }
    }
  });
}

const show = (v: unknown): string => (v === ABSENT ? '(absent)' : canonicalJson(v));

/**
 * `actual` is `expected` except for values `actual` lacks that are incomplete in `expected` (a
 * required field missing inside them): what a partial object may lose when a whole object's
 * stash would restore it, because such a stash is refused (it could be forged).
 */
function agreeUpToIncomplete(actual: unknown, expected: unknown, v: Validator): boolean {
  const diffs = differences(expected, actual);
  if (diffs.length === 0) return true;
  const missing = v
    .problems(expected)
    .filter((p) => p.kind === 'missing')
    .map((p) => p.path);
  return diffs.every(
    (d) => d.right === ABSENT && missing.some((m) => m.length > d.path.length && d.path.every((k, i) => m[i] === k)),
  );
}

/** Metadata as it was before the framework put a stash on it. */
function withoutStash(metadata: unknown): unknown {
  const taken = takeStash(metadata).metadata;
  return taken === ABSENT || taken === undefined ? null : taken;
}

function bodyOf(o: Obj): Obj {
  const { apiVersion: _a, kind: _k, metadata: _m, ...body } = o;
  return body;
}

/**
 * Every stash entry of `there` (converted from a to b) must be justified: b has no place for
 * the path at all, or a converter on the route from the stash's origin declares the loss (and,
 * for an equivalence, the values there are equivalent). A field both versions hold alike is
 * never stashed.
 */
function justifyStash(
  kind: RegisteredKind,
  a: string,
  b: string,
  input: Obj,
  there: Obj,
  shared: readonly JsonPath[],
): void {
  const carried = takeStash(there.metadata).stash;
  if (carried.kind === 'none') return;
  if (carried.kind === 'malformed') throw new Error(`the framework wrote a malformed stash: ${carried.reason}`);
  const { origin, entries } = carried.stash;
  const target = kind.versions.get(b)!.def.codec;
  const route = kind.route(origin, b);
  const originalAtOrigin = origin === a ? input : applyRoute(kind, a, origin, input, false);
  const backAtOrigin = applyRoute(kind, b, origin, bodyOf(there), false);
  for (const entry of entries) {
    const at = formatJsonPath(entry.p);
    if (shared.some((p) => p.every((k, i) => entry.p[i] === k) || entry.p.every((k, i) => p[i] === k)))
      throw new Error(`stash entry at ${at}: ${a} and ${b} hold that field alike, yet it did not come through`);
    if (!hasPlace(target, entry.p)) continue;
    const declared = lossyFor(route, entry.p);
    if (declared.length === 0)
      throw new Error(
        `stash entry at ${at}: ${b} has a place for it, and no converter from ${origin} to ${b} declares it lossy`,
      );
    if (!declared.some((d) => d.allows === true || d.allows(getAt(originalAtOrigin, d.at), getAt(backAtOrigin, d.at))))
      throw new Error(
        `stash entry at ${at}: ${b} gave back a value the converter's declaration does not call equivalent`,
      );
  }
}

/**
 * Places in an a object that b cannot see: no place for them in b's schema, and taking them away
 * does not change the b form. An edit made through b cannot touch them, so they must survive it.
 * Values with problems of their own (a partial object's) are left out: restoring those may be refused.
 */
function onlyIn(kind: RegisteredKind, a: string, b: string, body: Obj): JsonPath[] {
  const target = kind.versions.get(b)!.def.codec;
  const candidates: JsonPath[] = [];
  const walk = (v: unknown, path: Array<string | number>) => {
    if (path.length && !hasPlace(target, path)) {
      candidates.push(path.slice());
      return;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      for (const k of Object.keys(v)) walk((v as Obj)[k], [...path, k]);
  };
  walk(body, []);
  if (candidates.length === 0) return [];
  const problems = kind.versions.get(a)!.validator.problems(body);
  const seen = applyRoute(kind, a, b, body, false);
  return candidates.filter(
    (p) =>
      !problems.some((q) => p.every((k, i) => q.path[i] === k)) &&
      jsonEqual(applyRoute(kind, a, b, setAt(body, p, ABSENT), false), seen),
  );
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
        const arb = fc.array(fc.oneof(...versions.map((v) => objectArbitrary(kind, v, false, settings.generators))), {
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
