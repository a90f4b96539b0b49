import * as t from 'io-ts';
import { isConstrained, type Constraints } from './constraints.js';
import { inspect } from './inspect.js';
import { formatHolds } from './formats.js';
import { isJsonObject } from '../json/objects.js';

/**
 * One CEL rule of `x-kubernetes-validations`: the apiserver evaluates `rule` at admission, with
 * `self` the value (and `oldSelf` the old one, for transition rules).
 *
 * `holds` is the same check in JavaScript, when there is one: then strict validation
 * (`crdconv validate`) and the property-test generators apply it too. The rule builders of
 * rules.ts come with it; a rule written as bare CEL (or imported) is the apiserver's alone.
 */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
  readonly holds?: (value: never) => boolean;
}

/** A JSON-schema value validation in the CRD's own (wire) spelling: `{ required: [a] }`, `{ enum: [...] }`. */
export type WireSchema = { readonly [key: string]: unknown };

/**
 * What a codec says about its schema beyond types and `constrained(...)` bounds. Each maps to the
 * OpenAPI keyword of the same name (`x-kubernetes-` ones without the prefix). Those that narrow
 * values (format, exclusive bounds, multipleOf, property counts, list uniqueness, rules with
 * `holds`, embedded resources) are checked by the codec's `is`, so by strict validation and the
 * generators; the service's lenient decoding checks types only, as for `constrained`.
 */
export interface SchemaAnnotations {
  readonly description?: string;
  readonly title?: string;
  /** Applied by the apiserver when the field is missing; must be a value of the codec's type. */
  readonly default?: unknown;
  readonly example?: unknown;
  readonly externalDocs?: { readonly description?: string; readonly url?: string };
  /**
   * `date-time`, `duration`, `byte`, `uuid`, `ipv4`, ... (strings); `int32`, `double`, ... (numbers).
   * `null` states no format where the codec would write one (an enum of integers is int64).
   */
  readonly format?: string | null;
  /** With `minimum`/`maximum` of a `constrained(...)` inside: the bound itself is excluded. */
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly multipleOf?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  /** How server-side apply merges a list: whole (`atomic`), as a set of scalars, or as a map by keys. */
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  /** How server-side apply merges an object: whole (`atomic`) or field by field (`granular`). */
  readonly mapType?: 'atomic' | 'granular';
  readonly validations?: readonly ValidationRule[];
  /** An object that is a Kubernetes object of its own (apiVersion, kind, metadata). */
  readonly embeddedResource?: boolean;
  /** Keep fields the schema does not name (they pass through conversion untouched either way). */
  readonly preserveUnknownFields?: boolean;
  /** Value validations passed to the schema as written; the apiserver checks them, crdconv does not. */
  readonly anyOf?: readonly WireSchema[];
  readonly allOf?: readonly WireSchema[];
  readonly oneOf?: readonly WireSchema[];
  readonly not?: WireSchema;
  /** At the root of a version only: descriptions of the fields Kubernetes owns. */
  readonly typeMeta?: { readonly apiVersion?: string; readonly kind?: string; readonly metadata?: string };
}

export interface AnnotatedType<C extends t.Mixed> extends t.RefinementType<C, t.TypeOf<C>, t.OutputOf<C>, unknown> {
  readonly annotations: SchemaAnnotations;
}

/** The constraints of the `constrained(...)` codecs directly inside (through other annotations). */
export function innerConstraints(codec: t.Mixed): Constraints {
  const found: Constraints = {};
  for (let node = inspect(codec); node.kind === 'refinement'; node = inspect(node.base)) {
    const c = node.codec;
    if (isConstrained(c)) Object.assign(found, { ...c.constraints, ...found });
  }
  return found;
}

/** A stable key for deep equality of JSON values (object keys sorted). */
export function jsonKey(u: unknown): string {
  if (typeof u === 'bigint') return `${u}n`;
  if (Array.isArray(u)) return `[${u.map(jsonKey).join(',')}]`;
  if (isJsonObject(u)) {
    return `{${Object.keys(u)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${jsonKey(u[k])}`)
      .join(',')}}`;
  }
  return u === undefined ? 'undefined' : JSON.stringify(u);
}

/** The key of a list-map entry: the values of its key fields. */
export const listMapKey = (keys: readonly string[], item: unknown): string =>
  jsonKey(keys.map((k) => (isJsonObject(item) ? item[k] : undefined)));

const unique = (items: readonly unknown[], key: (u: unknown) => string): boolean =>
  new Set(items.map(key)).size === items.length;

/**
 * Whether a value meets what the annotations narrow (not its type: the codec checks that). The
 * numeric bounds that exclusiveMinimum/Maximum refer to come from `constraints`.
 */
export function annotationsHold(a: SchemaAnnotations, constraints: Constraints, u: unknown): boolean {
  if (typeof a.format === 'string' && !formatHolds(a.format, u)) return false;
  if (typeof u === 'number' || typeof u === 'bigint') {
    if (a.exclusiveMinimum && constraints.minimum !== undefined && u <= constraints.minimum) return false;
    if (a.exclusiveMaximum && constraints.maximum !== undefined && u >= constraints.maximum) return false;
    if (a.multipleOf !== undefined) {
      const ok =
        typeof u === 'bigint'
          ? Number.isInteger(a.multipleOf) && u % BigInt(a.multipleOf) === 0n
          : Number.isInteger(u / a.multipleOf);
      if (!ok) return false;
    }
  }
  if (isJsonObject(u)) {
    const n = Object.keys(u).length;
    if (a.minProperties !== undefined && n < a.minProperties) return false;
    if (a.maxProperties !== undefined && n > a.maxProperties) return false;
    if (a.embeddedResource && !embeddedResourceHolds(u)) return false;
  }
  if (Array.isArray(u)) {
    if (a.listType === 'set' && !unique(u, jsonKey)) return false;
    if (a.listType === 'map' && a.listMapKeys && !unique(u, (item) => listMapKey(a.listMapKeys!, item))) return false;
  }
  for (const rule of a.validations ?? []) {
    if (rule.holds && !(rule.holds as (v: unknown) => boolean)(u)) return false;
  }
  return true;
}

/** The apiserver requires an embedded object's apiVersion and kind (its metadata is ObjectMeta). */
const embeddedResourceHolds = (u: Record<string, unknown>): boolean =>
  typeof u.apiVersion === 'string' &&
  u.apiVersion !== '' &&
  typeof u.kind === 'string' &&
  u.kind !== '' &&
  (u.metadata === undefined || isJsonObject(u.metadata));

const describe = (a: SchemaAnnotations): string => {
  const shown = Object.entries(a)
    .filter(([k, v]) => v !== undefined && !['description', 'title', 'example', 'externalDocs', 'typeMeta'].includes(k))
    .map(([k, v]) =>
      k === 'validations'
        ? `rules=${(v as ValidationRule[]).length}`
        : `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`,
    );
  return shown.join(', ');
};

/**
 * Attach schema annotations to a codec: `annotate(t.string, { format: 'duration', description:
 * 'how long to wait' })`, `annotate(t.array(Port), { listType: 'map', listMapKeys: ['name'] })`.
 * The result is a refinement of the codec: the same TypeScript type, the annotations on it for
 * every interpreter (OpenAPI, strict validation, generators), and the narrowing ones in its `is`.
 */
export function annotate<C extends t.Mixed>(codec: C, annotations: SchemaAnnotations): AnnotatedType<C> {
  const shown = describe(annotations);
  const name = shown ? `${codec.name}{${shown}}` : codec.name;
  const constraints = innerConstraints(codec);
  const refined = t.refinement(
    codec,
    (u) => annotationsHold(annotations, constraints, u),
    name,
  ) as unknown as AnnotatedType<C>;
  return Object.assign(refined, { annotations });
}

export const isAnnotated = (codec: t.Mixed): codec is AnnotatedType<t.Mixed> =>
  inspect(codec).kind === 'refinement' && 'annotations' in codec;

/** Shorthand for the most common annotation. */
export const described = <C extends t.Mixed>(description: string, codec: C): AnnotatedType<C> =>
  annotate(codec, { description });
