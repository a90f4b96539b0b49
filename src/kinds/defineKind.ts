import type * as t from 'io-ts';
import type { Body } from './body.js';

/** A column for `kubectl get` (CRD `additionalPrinterColumns`). */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/**
 * One version of a kind. The codec describes the object without `apiVersion`, `kind` and
 * `metadata`, which belong to the framework: typically `t.type({ spec, status })`, but the e2e
 * example keeps its fields at the root.
 */
export interface Version<Name extends string = string, C extends t.Mixed = t.Mixed> {
  readonly name: Name;
  readonly codec: C;
  /** Served by the apiserver (default true). */
  readonly served: boolean;
  /** The one version objects are stored in. */
  readonly storage: boolean;
  readonly deprecated?: boolean;
  readonly deprecationWarning?: string;
  readonly printerColumns?: readonly PrinterColumn[];
  /** JSON paths (`.spec.color`) of fields that field selectors may use (`selectableFields`). */
  readonly selectableFields?: readonly string[];
  /** The scale subresource: JSON paths of the replica counts and, optionally, the label selector. */
  readonly scale?: {
    readonly specReplicasPath: string;
    readonly statusReplicasPath: string;
    readonly labelSelectorPath?: string;
  };
}

export const version = <Name extends string, C extends t.Mixed>(
  name: Name,
  codec: C,
  options: Partial<Omit<Version<Name, C>, 'name' | 'codec'>> = {},
): Version<Name, C> => ({ name, codec, served: true, storage: false, ...options });

/** A pure function from one version's body to another's, one direction of one edge. */
export interface Converter {
  readonly from: string;
  readonly to: string;
  readonly convert: (body: never) => unknown;
  /** What a round trip through `to` may not bring back, by path in `from` (see `Lossy`). */
  readonly lossy?: Lossy;
}

/**
 * A converter's declaration of what a round trip through the other version may change, by
 * path in its source version: dot-separated keys, `*` for any one key or array index
 * (`spec.schedule`, `spec.users.*.name`). `true`: anything may be lost there (the stash keeps
 * it); a function: only values it calls equivalent (`sameSchedule(' @hourly', '0 * * * *')`).
 *
 * Not needed for fields the other version has no place for at all (they are stashed, nothing
 * to declare), nor for values the other version holds exactly. `roundTripSuite` refuses any
 * other stash entry: a converter that drops or bends a field both versions hold is a bug.
 */
export type Lossy = Readonly<Record<string, true | ((original: unknown, back: unknown) => boolean)>>;

/**
 * The two directions between neighbouring versions `a` and `b`. Converters are pure: they get a
 * body (never metadata) and return a new one; they must not mutate their input. Each must accept
 * every body its source codec admits, partial ones included: a converter that throws makes
 * stored objects unreadable.
 */
export const between = <A extends Version, B extends Version>(
  a: A,
  b: B,
  fns: {
    up: (body: Body<A['codec']>) => Body<B['codec']>;
    down: (body: Body<B['codec']>) => Body<A['codec']>;
    /** What `up` (paths in A) and `down` (paths in B) may lose on a round trip: see `Lossy`. */
    lossy?: { readonly up?: Lossy; readonly down?: Lossy };
  },
): Converter[] => [
  {
    from: a.name,
    to: b.name,
    convert: fns.up as (body: never) => unknown,
    ...(fns.lossy?.up && { lossy: fns.lossy.up }),
  },
  {
    from: b.name,
    to: a.name,
    convert: fns.down as (body: never) => unknown,
    ...(fns.lossy?.down && { lossy: fns.lossy.down }),
  },
];

export interface KindNames {
  /** CamelCase kind, e.g. `CronJob`. */
  readonly kind: string;
  /** Lower-case plural resource name, e.g. `cronjobs`. */
  readonly plural: string;
  readonly singular?: string;
  readonly listKind?: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
}

export interface Kind extends KindNames {
  readonly group: string;
  readonly scope: 'Namespaced' | 'Cluster';
  /** Oldest first: the order in which versions are listed in the CRD and routes break ties. */
  readonly versions: readonly Version[];
  readonly converters: readonly Converter[];
  /** Whether the status subresource is enabled (default: when any version has a `status` field). */
  readonly statusSubresource?: boolean;
}

/** Declare a kind. Checking that its converters connect every version is the registry's job. */
export const defineKind = (kind: Kind): Kind => kind;

export const crdName = (kind: Pick<Kind, 'plural' | 'group'>): string => `${kind.plural}.${kind.group}`;
