import * as t from 'io-ts';

/**
 * A leaf codec is a named scalar type that plain io-ts has no combinator for (Int64, Quantity, ...).
 *
 * Every interpreter of codecs (lenient decoding, OpenAPI schemas, fast-check arbitraries) knows the
 * io-ts combinators by their `_tag`; leaves all share the tag `LeafType` and are told apart by
 * `name`, which is the key into each interpreter's registry of leaves. An interpreter that meets a
 * leaf name it has no entry for fails loudly instead of guessing.
 */
export class LeafType<A> extends t.Type<A, A, unknown> {
  readonly _tag = 'LeafType' as const;
  constructor(
    name: string,
    readonly guard: (u: unknown) => u is A,
  ) {
    super(name, guard, (u, c) => (guard(u) ? t.success(u) : t.failure(u, c)), t.identity);
  }
}

export const isLeaf = (codec: t.Mixed): codec is LeafType<unknown> => (codec as { _tag?: string })._tag === 'LeafType';
