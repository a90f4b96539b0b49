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
}

/**
 * The two directions between neighbouring versions `a` and `b`. Converters are pure: they get a
 * body (never metadata) and return a new one; they must not mutate their input. Each must accept
 * every body its source codec admits, partial ones included: a converter that throws makes
 * stored objects unreadable.
 */
export const between = <A extends Version, B extends Version>(
  a: A,
  b: B,
  fns: { up: (body: Body<A['codec']>) => Body<B['codec']>; down: (body: Body<B['codec']>) => Body<A['codec']> },
): Converter[] => [
  { from: a.name, to: b.name, convert: fns.up as (body: never) => unknown },
  { from: b.name, to: a.name, convert: fns.down as (body: never) => unknown },
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
