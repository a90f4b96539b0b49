import * as t from 'io-ts';
import { inspect, unhandled } from '../model/inspect.js';

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
  const node = inspect(codec);
  const name = codec.name;
  const go = (inner: t.Mixed) => interpret(inner, mode);
  const mapProps = (props: t.Props): t.Props =>
    Object.fromEntries(Object.entries(props).map(([k, v]) => [k, go(v as t.Mixed)]));
  switch (node.kind) {
    case 'number':
      return jsonNumber;
    case 'props': {
      const props = mapProps(node.props);
      return mode.lenient || !node.required ? t.partial(props, name) : t.type(props, name);
    }
    case 'wrapper':
      return go(node.inner);
    case 'refinement': {
      if (mode.lenient) return go(node.base);
      // Keep the refinement (and its constraints) around the rebuilt base.
      return Object.assign(
        t.refinement(go(node.base), node.predicate, name),
        'constraints' in codec ? { constraints: (codec as { constraints: unknown }).constraints } : {},
      );
    }
    case 'array':
      return t.array(go(node.item), name);
    case 'record':
      return t.record(go(node.domain) as t.Mixed & t.Type<string, string, unknown>, go(node.codomain), name);
    case 'union':
      return t.union(node.members.map(go) as [t.Mixed, t.Mixed], name);
    case 'intersection':
      return t.intersection(node.members.map(go) as [t.Mixed, t.Mixed], name);
    case 'tuple':
      return t.tuple(node.members.map(go) as [t.Mixed], name);
    case 'recursive':
      throw new Error(`recursive codec ${name} is not supported (CRD schemas cannot recurse)`);
    case 'string':
    case 'boolean':
    case 'null':
    case 'undefined':
    case 'unknown':
    case 'unknownRecord':
    case 'unknownArray':
    case 'literal':
    case 'keyof':
    case 'leaf':
      // Scalars, literals, keyof, leaves, unknown: already about type only.
      return codec;
    default:
      return unhandled(node);
  }
}
