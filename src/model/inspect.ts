import type * as t from 'io-ts';

/**
 * A codec as the interpreters read it: one node per io-ts combinator, told apart by `kind`.
 *
 * This is the one place that reads io-ts's `_tag` and casts to the combinator's class. An
 * interpreter switches on `inspect(codec).kind` and ends with `default: return unhandled(node)`,
 * so a kind added here is a compile error in every interpreter that does not handle it (io-ts's
 * own Schemable idea). Every node keeps its `codec`, for its `name` and its own `is`.
 *
 * It lives in model/ (not interpreters/) because validate/ walks codecs too and may only import
 * model and json.
 */
export type CodecNode =
  | { readonly kind: 'string'; readonly codec: t.Mixed }
  | { readonly kind: 'number'; readonly codec: t.Mixed }
  | { readonly kind: 'boolean'; readonly codec: t.Mixed }
  | { readonly kind: 'null'; readonly codec: t.Mixed }
  /** `t.undefined` and `t.void`. */
  | { readonly kind: 'undefined'; readonly codec: t.Mixed }
  /** `t.unknown` and `t.any`. */
  | { readonly kind: 'unknown'; readonly codec: t.Mixed }
  /** `t.UnknownRecord` (io-ts's AnyDictionaryType) and `t.object`. */
  | { readonly kind: 'unknownRecord'; readonly codec: t.Mixed }
  /** `t.UnknownArray` (io-ts's AnyArrayType). */
  | { readonly kind: 'unknownArray'; readonly codec: t.Mixed }
  | { readonly kind: 'literal'; readonly codec: t.Mixed; readonly value: string | number | boolean }
  | { readonly kind: 'keyof'; readonly codec: t.Mixed; readonly keys: Readonly<Record<string, unknown>> }
  /** `t.array` and `t.readonlyArray`. */
  | { readonly kind: 'array'; readonly codec: t.Mixed; readonly item: t.Mixed; readonly readonly: boolean }
  /** `t.type` (and io-ts's StrictType) are `required`; `t.partial` is not. */
  | { readonly kind: 'props'; readonly codec: t.Mixed; readonly props: t.Props; readonly required: boolean }
  | { readonly kind: 'record'; readonly codec: t.Mixed; readonly domain: t.Mixed; readonly codomain: t.Mixed }
  | { readonly kind: 'union'; readonly codec: t.Mixed; readonly members: readonly t.Mixed[] }
  | { readonly kind: 'intersection'; readonly codec: t.Mixed; readonly members: readonly t.Mixed[] }
  | { readonly kind: 'tuple'; readonly codec: t.Mixed; readonly members: readonly t.Mixed[] }
  /** `t.exact`/`t.strict` and `t.readonly`: the same values as `inner` (exact strips unknown keys). */
  | { readonly kind: 'wrapper'; readonly codec: t.Mixed; readonly inner: t.Mixed }
  /**
   * `t.refinement`, `t.brand`, `t.Int`, and the model's `constrained(...)` and `annotate(...)`
   * (told apart by `isConstrained` / `isAnnotated` on `codec`).
   */
  | {
      readonly kind: 'refinement';
      readonly codec: t.RefinementType<t.Mixed>;
      readonly base: t.Mixed;
      readonly predicate: (u: unknown) => boolean;
      readonly name: string;
    }
  | { readonly kind: 'recursive'; readonly codec: t.Mixed }
  /**
   * The model's LeafType (told apart by `name`), and any codec io-ts has no combinator for (`tag`
   * is io-ts's own name for it, for error messages only).
   */
  | { readonly kind: 'leaf'; readonly codec: t.Mixed; readonly tag: string | undefined };

export type CodecKind = CodecNode['kind'];

/** What `_tag` says of a codec, as a node. */
export function inspect(codec: t.Mixed): CodecNode {
  const c = codec as t.Mixed & { readonly _tag?: string };
  switch (c._tag) {
    case 'StringType':
      return { kind: 'string', codec };
    case 'NumberType':
      return { kind: 'number', codec };
    case 'BooleanType':
      return { kind: 'boolean', codec };
    case 'NullType':
      return { kind: 'null', codec };
    case 'UndefinedType':
    case 'VoidType':
      return { kind: 'undefined', codec };
    case 'UnknownType':
    case 'AnyType':
      return { kind: 'unknown', codec };
    case 'AnyDictionaryType':
    case 'ObjectType':
      return { kind: 'unknownRecord', codec };
    case 'AnyArrayType':
      return { kind: 'unknownArray', codec };
    case 'LiteralType':
      return { kind: 'literal', codec, value: (c as unknown as t.LiteralType<string | number | boolean>).value };
    case 'KeyofType':
      return { kind: 'keyof', codec, keys: (c as unknown as t.KeyofType<Record<string, unknown>>).keys };
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return {
        kind: 'array',
        codec,
        item: (c as unknown as t.ArrayType<t.Mixed>).type,
        readonly: c._tag === 'ReadonlyArrayType',
      };
    case 'InterfaceType':
    case 'StrictType':
      return { kind: 'props', codec, props: (c as unknown as t.InterfaceType<t.Props>).props, required: true };
    case 'PartialType':
      return { kind: 'props', codec, props: (c as unknown as t.PartialType<t.Props>).props, required: false };
    case 'DictionaryType': {
      const d = c as unknown as t.DictionaryType<t.Mixed, t.Mixed>;
      return { kind: 'record', codec, domain: d.domain, codomain: d.codomain };
    }
    case 'UnionType':
      return { kind: 'union', codec, members: (c as unknown as t.UnionType<t.Mixed[]>).types };
    case 'IntersectionType':
      return { kind: 'intersection', codec, members: (c as unknown as t.IntersectionType<t.Mixed[]>).types };
    case 'TupleType':
      return { kind: 'tuple', codec, members: (c as unknown as t.TupleType<t.Mixed[]>).types };
    case 'ExactType':
    case 'ReadonlyType':
      return { kind: 'wrapper', codec, inner: (c as unknown as { readonly type: t.Mixed }).type };
    case 'RefinementType': {
      const r = c as unknown as t.RefinementType<t.Mixed>;
      return {
        kind: 'refinement',
        codec: r,
        base: r.type,
        predicate: r.predicate as (u: unknown) => boolean,
        name: r.name,
      };
    }
    case 'RecursiveType':
      return { kind: 'recursive', codec };
    default:
      // LeafType, BigIntType, NeverType, FunctionType, custom and untagged types.
      return { kind: 'leaf', codec, tag: c._tag };
  }
}

/** The `default` of an exhaustive switch on `inspect(codec).kind`: a kind left out fails to compile. */
export function unhandled(node: never): never {
  const n = node as { kind?: unknown; codec?: { name?: unknown } };
  throw new Error(`codec node of kind ${String(n.kind)} (${String(n.codec?.name)}) is not handled`);
}
