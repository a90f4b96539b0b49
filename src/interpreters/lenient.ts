import * as t from 'io-ts';

/**
 * Interpreter: codec -> the codec the service decodes with.
 *
 * The service must convert every object the apiserver holds, including partial ones (server-side
 * apply) and ones stored before a bound was tightened. So presence and value constraints are the
 * CRD schema's job; this checks types and shape only:
 * - every `t.type` becomes `t.partial` (a required field may be missing; `null` is still wrong
 *   unless the model says nullable),
 * - refinements (`constrained`, `t.Int`, brands) check their base type only,
 * - `t.exact`/`t.strict` lose their key stripping: unknown keys must reach the lossless stash,
 *   never vanish.
 * Decoding with the result never transforms: it returns its input when it succeeds.
 */
export function lenient(codec: t.Mixed): t.Mixed {
  const cached = cache.get(codec);
  if (cached) return cached;
  const result = build(codec);
  cache.set(codec, result);
  return result;
}

const cache = new WeakMap<t.Mixed, t.Mixed>();

const mapProps = (props: t.Props): t.Props =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [k, lenient(v as t.Mixed)]));

function build(codec: t.Mixed): t.Mixed {
  const c = codec as t.Mixed & { _tag?: string };
  switch (c._tag) {
    case 'InterfaceType':
    case 'PartialType':
    case 'StrictType':
      return t.partial(mapProps((c as unknown as t.InterfaceType<t.Props>).props), c.name);
    case 'ExactType':
    case 'ReadonlyType':
    case 'RefinementType':
      return lenient((c as unknown as { type: t.Mixed }).type);
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return t.array(lenient((c as unknown as t.ArrayType<t.Mixed>).type), c.name);
    case 'DictionaryType': {
      const d = c as unknown as t.DictionaryType<t.Mixed, t.Mixed>;
      return t.record(lenient(d.domain) as t.Mixed & t.Type<string, string, unknown>, lenient(d.codomain), c.name);
    }
    case 'UnionType':
      return t.union((c as unknown as t.UnionType<t.Mixed[]>).types.map(lenient) as [t.Mixed, t.Mixed], c.name);
    case 'IntersectionType':
      return t.intersection(
        (c as unknown as t.IntersectionType<t.Mixed[]>).types.map(lenient) as [t.Mixed, t.Mixed],
        c.name,
      );
    case 'TupleType':
      return t.tuple((c as unknown as t.TupleType<t.Mixed[]>).types.map(lenient) as [t.Mixed], c.name);
    case 'RecursiveType':
      throw new Error(`lenient: recursive codec ${c.name} is not supported (CRD schemas cannot recurse)`);
    default:
      // Scalars, literals, keyof, leaves, unknown: already about type only.
      return c;
  }
}
