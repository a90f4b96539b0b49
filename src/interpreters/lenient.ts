import * as t from 'io-ts';

/**
 * Interpreters: codec -> the codecs values are checked with, as they arrive from JSON.
 *
 * Both let `t.number` admit integers beyond 2^53 too, which the exact JSON parser hands over as
 * bigint: OpenAPI's `type: number` admits any integer, and the apiserver keeps them as int64.
 * Neither transforms: decoding returns its input when it succeeds.
 *
 * `lenient` is what the service decodes with. It must convert every object the apiserver holds,
 * partial ones (server-side apply) and ones stored before a bound was tightened included, so
 * presence and value constraints are the CRD schema's job; it checks types and shape only:
 * - every `t.type` becomes `t.partial` (a required field may be missing; `null` is still wrong
 *   unless the model says nullable),
 * - refinements (`constrained`, `t.Int`, brands) check their base type only,
 * - `t.exact`/`t.strict` lose their key stripping: unknown keys must reach the lossless stash,
 *   never vanish.
 *
 * `strict` is what `crdconv validate` checks manifests with: required fields and constraints as
 * declared.
 */
export const lenient = (codec: t.Mixed): t.Mixed => interpret(codec, LENIENT);
export const strict = (codec: t.Mixed): t.Mixed => interpret(codec, STRICT);

interface Mode {
  readonly lenient: boolean;
  readonly cache: WeakMap<t.Mixed, t.Mixed>;
}
const LENIENT: Mode = { lenient: true, cache: new WeakMap() };
const STRICT: Mode = { lenient: false, cache: new WeakMap() };

function interpret(codec: t.Mixed, mode: Mode): t.Mixed {
  const cached = mode.cache.get(codec);
  if (cached) return cached;
  const result = build(codec, mode);
  mode.cache.set(codec, result);
  return result;
}

const isNumber = (u: unknown): u is number | bigint =>
  (typeof u === 'number' && Number.isFinite(u)) || typeof u === 'bigint';
const jsonNumber = new t.Type<number | bigint>(
  'number',
  isNumber,
  (u, c) => (isNumber(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

function build(codec: t.Mixed, mode: Mode): t.Mixed {
  const c = codec as t.Mixed & { _tag?: string };
  const go = (inner: t.Mixed) => interpret(inner, mode);
  const mapProps = (props: t.Props): t.Props =>
    Object.fromEntries(Object.entries(props).map(([k, v]) => [k, go(v as t.Mixed)]));
  switch (c._tag) {
    case 'NumberType':
      return jsonNumber;
    case 'InterfaceType':
    case 'StrictType': {
      const props = mapProps((c as unknown as t.InterfaceType<t.Props>).props);
      return mode.lenient ? t.partial(props, c.name) : t.type(props, c.name);
    }
    case 'PartialType':
      return t.partial(mapProps((c as unknown as t.PartialType<t.Props>).props), c.name);
    case 'ExactType':
    case 'ReadonlyType':
      return go((c as unknown as { type: t.Mixed }).type);
    case 'RefinementType': {
      const r = c as unknown as t.RefinementType<t.Mixed>;
      if (mode.lenient) return go(r.type);
      // Keep the refinement (and its constraints) around the rebuilt base.
      return Object.assign(
        t.refinement(go(r.type), r.predicate as (u: unknown) => boolean, c.name),
        'constraints' in c ? { constraints: (c as { constraints: unknown }).constraints } : {},
      );
    }
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return t.array(go((c as unknown as t.ArrayType<t.Mixed>).type), c.name);
    case 'DictionaryType': {
      const d = c as unknown as t.DictionaryType<t.Mixed, t.Mixed>;
      return t.record(go(d.domain) as t.Mixed & t.Type<string, string, unknown>, go(d.codomain), c.name);
    }
    case 'UnionType':
      return t.union((c as unknown as t.UnionType<t.Mixed[]>).types.map(go) as [t.Mixed, t.Mixed], c.name);
    case 'IntersectionType':
      return t.intersection(
        (c as unknown as t.IntersectionType<t.Mixed[]>).types.map(go) as [t.Mixed, t.Mixed],
        c.name,
      );
    case 'TupleType':
      return t.tuple((c as unknown as t.TupleType<t.Mixed[]>).types.map(go) as [t.Mixed], c.name);
    case 'RecursiveType':
      throw new Error(`recursive codec ${c.name} is not supported (CRD schemas cannot recurse)`);
    default:
      // Scalars, literals, keyof, leaves, unknown: already about type only.
      return c;
  }
}
