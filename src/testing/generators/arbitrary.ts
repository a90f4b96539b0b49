import fc from 'fast-check';
import * as t from 'io-ts';
import { constrained, type Constraints } from '../../model/constraints.js';
import { type LeafArbitrary, lookupLeafArbitrary } from './arbitraryLeaves.js';
import { isAnnotated } from '../../model/annotations.js';
import { inspect, unhandled, type CodecNode } from '../../model/inspect.js';
import { isLeaf } from '../../model/leaf.js';
import { annotatedArbitrary } from './arbitraryAnnotations.js';
import { lenient } from '../../interpreters/lenient.js';
import {
  dictionaryArbitrary,
  doubleArbitrary,
  HOSTILE_KEYS,
  jsonObjectArbitrary,
  jsonValueArbitrary,
  lengthsOf,
  objectKeyArbitrary,
  stringArbitrary,
} from './arbitraryPrimitives.js';
import { isJsonObject } from '../../json/objects.js';

export { type LeafArbitrary, builtinLeafArbitraries, registerLeafArbitrary } from './arbitraryLeaves.js';

/**
 * Interpreter: codec -> fast-check arbitrary of the values the codec admits, for property tests
 * that no one has to write generators for.
 *
 * Values are JSON-clean and canonical (see arbitraryPrimitives.ts): absent keys are absent rather
 * than undefined, no -0, Int64 a bigint only beyond the safe range. They lean towards what breaks
 * conversions: optional fields absent, nullable ones null, lists empty or long, map keys such as
 * `__proto__` or `a.b`, astral strings, int64 extremes.
 */
export interface ArbitraryOptions {
  /**
   * Let required (`t.type`) fields be absent too, at every depth: the objects the service gets
   * from server-side apply. Such values decode under `lenient(codec)`, not under `codec`.
   * Default false: `t.type` fields always present, `t.partial` fields sometimes absent.
   */
  partial?: boolean;
  /** Generators of your own, for this call only (a registry's or a kind's; see `Generators`). */
  generators?: Generators;
}

/**
 * Generators that replace or complete the derived ones, passed per call (per test suite, per
 * kind), never registered globally:
 * - `leaves`: by leaf name, for leaf codecs of your own (`new LeafType('Hex', ...)`) and
 *   refinements without constraints (brands), or to replace a shipped leaf's generator;
 * - `codecs`: by codec object, for the values a converter actually parses (cron strings,
 *   `host:port`, image references), which a generator derived from `t.string` or a pattern
 *   almost never produces. The function gets the derived generator, to mix it in.
 * Either must yield only values the codec admits (the round-trip suite checks that).
 */
export interface Generators {
  readonly leaves?: ReadonlyMap<string, LeafArbitrary>;
  readonly codecs?: ReadonlyMap<t.Mixed, (derived: fc.Arbitrary<unknown>) => fc.Arbitrary<unknown>>;
}

/** Several generator sets as one (later ones win): for a registry made of several kinds. */
export const mergeGenerators = (...sets: readonly Generators[]): Generators => ({
  leaves: new Map(sets.flatMap((g) => [...(g.leaves ?? [])])),
  codecs: new Map(sets.flatMap((g) => [...(g.codecs ?? [])])),
});

export function arbitraryFor(codec: t.Mixed, options: ArbitraryOptions = {}): fc.Arbitrary<unknown> {
  return build(codec, {
    partial: options.partial ?? false,
    constraints: {},
    path: '',
    generators: options.generators ?? {},
  });
}

interface Context {
  readonly partial: boolean;
  readonly generators: Generators;
  /** Constraints of the `constrained(...)` wrappers around this codec; they reach through unions. */
  readonly constraints: Constraints;
  /** Where in the root codec we are, for error messages. */
  readonly path: string;
}

const at = (ctx: Context) => (ctx.path === '' ? 'the root' : ctx.path);

/** An error that names the codec and where it sits; never a silent undefined. */
const fail = (codec: t.Mixed, ctx: Context, why: string): never => {
  throw new Error(`arbitraryFor: codec ${JSON.stringify(codec.name)} at ${at(ctx)}: ${why}`);
};

/** Entering a container: its constraints (minItems, ...) are about it, not about its elements. */
const child = (ctx: Context, segment: string): Context => ({
  partial: ctx.partial,
  generators: ctx.generators,
  constraints: {},
  path: ctx.path === '' ? segment : segment.startsWith('[') ? `${ctx.path}${segment}` : `${ctx.path}.${segment}`,
});

function build(codec: t.Mixed, ctx: Context): fc.Arbitrary<unknown> {
  const own = ctx.generators.codecs?.get(codec);
  return own ? own(derive(codec, ctx)) : derive(codec, ctx);
}

function derive(codec: t.Mixed, ctx: Context): fc.Arbitrary<unknown> {
  const node = inspect(codec);
  switch (node.kind) {
    case 'props':
      return objectOf(node.props, node.required && !ctx.partial, ctx);
    case 'wrapper':
      // No extra keys are generated, so stripping them (exact) changes nothing.
      return build(node.inner, ctx);
    case 'refinement':
      return refinementOf(node, ctx);
    case 'array':
      return arrayOf(node.item, ctx);
    case 'record':
      return dictionaryOf(node, ctx);
    case 'union':
      return unionOf(codec, node.members, ctx);
    case 'intersection':
      return intersectionOf(node, ctx);
    case 'tuple':
      return fc.tuple(...node.members.map((m, i) => build(m, child(ctx, `[${i}]`))));
    case 'literal':
      return fc.constant(node.value);
    case 'keyof':
      return fc.constantFrom(...Object.keys(node.keys));
    case 'string':
      return guarded(codec, ctx, () => stringArbitrary(ctx.constraints));
    case 'number':
      return guarded(codec, ctx, () => doubleArbitrary(ctx.constraints));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'unknown':
      return jsonValueArbitrary;
    case 'unknownRecord':
      return jsonObjectArbitrary;
    case 'unknownArray':
      return fc.array(jsonValueArbitrary, { maxLength: 5 });
    case 'recursive':
      return fail(codec, ctx, 'recursive codecs are not supported (CRD schemas cannot recurse)');
    case 'undefined':
      return fail(codec, ctx, `no generator for ${codec.name} (JSON cannot hold it)`);
    case 'leaf':
      if (isLeaf(codec)) return leafOf(codec, ctx);
      return fail(
        codec,
        ctx,
        `no generator for _tag ${JSON.stringify(node.tag)} (JSON cannot hold it, or the interpreter does not know it)`,
      );
    default:
      return unhandled(node);
  }
}

/** Run a generator factory, turning its complaint about the constraints into a named error. */
const guarded = <R>(codec: t.Mixed, ctx: Context, make: () => R): R => {
  try {
    return make();
  } catch (e) {
    return fail(codec, ctx, (e as Error).message);
  }
};

function objectOf(props: t.Props, required: boolean, ctx: Context): fc.Arbitrary<unknown> {
  const model = Object.fromEntries(
    Object.entries(props).map(([k, v]) => [k, build(v as t.Mixed, child(ctx, k))]),
  ) as Record<string, fc.Arbitrary<unknown>>;
  // fc.record leaves optional keys out (never undefined); plain prototypes, as JSON.parse makes.
  return fc.record(model, { requiredKeys: required ? Object.keys(model) : [], noNullPrototype: true });
}

function refinementOf(node: Extract<CodecNode, { kind: 'refinement' }>, ctx: Context): fc.Arbitrary<unknown> {
  const c = node.codec;
  // annotate(...): the base's values, shaped and filtered by the annotations (arbitraryAnnotations.ts).
  if (isAnnotated(c)) return annotatedArbitrary(c, build(node.base, ctx), ctx.partial);
  const own = (c as { constraints?: Constraints }).constraints;
  if (own === undefined) {
    // A brand or predicate the interpreter cannot read: only a registered generator will do.
    const registered = guarded(c, ctx, () => lookupLeafArbitrary(c.name, ctx.constraints, ctx.generators.leaves));
    if (registered) return registered.filter((v) => c.is(v));
    return fail(
      c,
      ctx,
      'a refinement without constraints cannot be generated; use constrained(...) or pass a generator in generators.leaves',
    );
  }
  const base = build(node.base, { ...ctx, constraints: mergeConstraints(ctx.constraints, own) });
  // The base generators honour the constraints; this only catches the ones that cannot (a plain
  // leaf arbitrary, a pattern with a minLength), and never relies on the base being complete,
  // which partial objects are not.
  const holds = constrained(t.unknown, own);
  return base.filter((v) => holds.is(v));
}

/** The constraints of nested `constrained(...)`: the tighter bound wins, the innermost pattern is generated. */
function mergeConstraints(outer: Constraints, inner: Constraints): Constraints {
  const pick = (a: number | undefined, b: number | undefined, f: (x: number, y: number) => number) =>
    a === undefined ? b : b === undefined ? a : f(a, b);
  const merged: Constraints = { ...outer, ...inner };
  const bounds = {
    minimum: pick(outer.minimum, inner.minimum, Math.max),
    maximum: pick(outer.maximum, inner.maximum, Math.min),
    minLength: pick(outer.minLength, inner.minLength, Math.max),
    maxLength: pick(outer.maxLength, inner.maxLength, Math.min),
    minItems: pick(outer.minItems, inner.minItems, Math.max),
    maxItems: pick(outer.maxItems, inner.maxItems, Math.min),
  };
  for (const [k, v] of Object.entries(bounds)) if (v !== undefined) Object.assign(merged, { [k]: v });
  return merged;
}

function arrayOf(element: t.Mixed, ctx: Context): fc.Arbitrary<unknown> {
  const elements = build(element, child(ctx, '[]'));
  const { minItems, maxItems } = ctx.constraints;
  return guarded(element, ctx, () =>
    lengthsOf((range) => fc.array(elements, range), {
      ...(minItems !== undefined && { minLength: minItems }),
      ...(maxItems !== undefined && { maxLength: maxItems }),
    }),
  );
}

/** The keys of a domain with finitely many (literals, keyof, unions of them), as io-ts reads them. */
function finiteKeys(domain: t.Mixed): string[] | undefined {
  const d = inspect(domain);
  if (d.kind === 'literal') return typeof d.value === 'string' ? [d.value] : undefined;
  if (d.kind === 'keyof') return Object.keys(d.keys);
  if (d.kind === 'union') {
    const each = d.members.map(finiteKeys);
    return each.every((k) => k !== undefined) ? [...new Set(each.flat())] : undefined;
  }
  return undefined;
}

function dictionaryOf(c: Extract<CodecNode, { kind: 'record' }>, ctx: Context): fc.Arbitrary<unknown> {
  const enumerable = finiteKeys(c.domain);
  if (enumerable !== undefined) {
    // io-ts requires every key of a finite domain, like a t.type (partial objects included).
    return fc
      .tuple(...enumerable.map((k) => build(c.codomain, child(ctx, k))))
      .map((values) => Object.fromEntries(enumerable.map((k, i) => [k, values[i]])));
  }
  return dictionaryArbitrary(keysOf(c.domain, ctx), build(c.codomain, child(ctx, '{}')));
}

/** Map keys: for a plain string domain hostile ones and any string; else the domain's own, plus the hostile ones it admits. */
function keysOf(domain: t.Mixed, ctx: Context): fc.Arbitrary<string> {
  if (inspect(domain).kind === 'string') return objectKeyArbitrary;
  const own = build(domain, child(ctx, '{key}')).filter((k): k is string => typeof k === 'string');
  const hostile = HOSTILE_KEYS.filter((k) => domain.is(k));
  return hostile.length === 0 ? own : fc.oneof(own, fc.constantFrom(...hostile));
}

/**
 * Members JSON cannot hold (`t.undefined`, `t.void`). `t.union([c, t.undefined])` gets c's values:
 * io-ts' `t.type` wants the key present even then, and JSON has no undefined to put there.
 */
function unionOf(union: t.Mixed, all: readonly t.Mixed[], ctx: Context): fc.Arbitrary<unknown> {
  const members = all.map(inspect).filter((m) => m.kind !== 'undefined');
  if (members.length === 0) return fail(union, ctx, 'no member of the union has a JSON value');
  const literals = members.flatMap((m) => (m.kind === 'literal' ? [m.value] : []));
  if (literals.length === members.length) return fc.constantFrom(...literals);
  // null is one value; the others have more to explore, so null comes up about once in four.
  return fc.oneof(
    ...members.map((m) => ({
      arbitrary: build(m.codec, ctx),
      weight: m.kind === 'null' ? 1 : 3,
    })),
  );
}

/** Merge the parts of an intersection of objects; shared keys holding objects merge deeply. */
function mergeObjects(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const entries = new Map(Object.entries(a));
  for (const [k, v] of Object.entries(b)) {
    const mine = entries.get(k);
    entries.set(k, isJsonObject(mine) && isJsonObject(v) ? mergeObjects(mine, v) : v);
  }
  return Object.fromEntries(entries);
}

function intersectionOf(node: Extract<CodecNode, { kind: 'intersection' }>, ctx: Context): fc.Arbitrary<unknown> {
  const parts = node.members.map((m) => build(m, ctx));
  const admits = ctx.partial ? lenient(node.codec) : node.codec;
  return (
    fc
      .tuple(...parts)
      // Objects merge; for an intersection of scalars (rare in a CRD model) one part's value must
      // satisfy the others, which the filter checks.
      .map((values) => (values.every(isJsonObject) ? values.reduce(mergeObjects) : values[0]))
      .filter((v) => admits.is(v))
  );
}

function leafOf(c: t.Mixed, ctx: Context): fc.Arbitrary<unknown> {
  const registered = guarded(c, ctx, () => lookupLeafArbitrary(c.name, ctx.constraints, ctx.generators.leaves));
  return (
    registered ??
    fail(
      c,
      ctx,
      `no generator for leaf ${JSON.stringify(c.name)}; pass one in generators.leaves (key ${JSON.stringify(c.name)})`,
    )
  );
}
