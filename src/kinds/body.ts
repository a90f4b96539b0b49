import type * as t from 'io-ts';

/**
 * What a converter sees of a version: its model with every field optional, at every depth.
 *
 * The apiserver sends partial objects (server-side apply converts one manager's fields at a time),
 * so a field the schema calls required can still be missing. The type says so, and the compiler
 * makes converter authors handle it: missing stays missing.
 */
export type Partial_<T> = T extends bigint | number | string | boolean | null | undefined
  ? T
  : T extends ReadonlyArray<infer E>
    ? Array<Partial_<E>>
    : T extends object
      ? { [K in keyof T]?: Partial_<T[K]> }
      : T;

export type Body<C extends t.Mixed> = Partial_<t.TypeOf<C>>;
