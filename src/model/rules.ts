import type { ValidationRule } from './annotations.js';
import { isJsonObject } from '../json/objects.js';

/**
 * CEL rules (`x-kubernetes-validations`) for the refinements a model states most often, each with
 * the same check in JavaScript: the apiserver enforces the CEL at admission, and strict
 * validation and the property-test generators use the JavaScript. Use them in
 * `annotate(codec, { validations: [exactlyOneOf('image', 'build')] })`.
 *
 * The JavaScript side sees partial objects too (server-side apply), so a missing field never
 * breaks it: a rule about two fields holds when either is missing, unless it is about presence.
 */

type Options = Omit<ValidationRule, 'rule' | 'holds'>;

const CEL_RESERVED = new Set(
  'true false null in as break const continue else for function if import let loop package namespace return var void while'.split(
    ' ',
  ),
);

/** A field name as CEL reads it off `self`, escaped the way the apiserver escapes property names. */
export function celField(name: string): string {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  if (!/^[A-Za-z_.\-/][A-Za-z0-9_.\-/]*$/.test(name)) {
    throw new Error(`field name ${JSON.stringify(name)} cannot be accessed from CEL`);
  }
  return name
    .replace(/__/g, '__underscores__')
    .replace(/\./g, '__dot__')
    .replace(/-/g, '__dash__')
    .replace(/\//g, '__slash__');
}

const has = (field: string) => `has(self.${celField(field)})`;
const present = (u: unknown, fields: readonly string[]) =>
  isJsonObject(u) ? fields.filter((f) => Object.prototype.hasOwnProperty.call(u, f)).length : 0;

const list = (fields: readonly string[]) => fields.join(', ');

/** A rule in CEL alone: the apiserver enforces it; give `holds` to have crdconv check it too. */
export const rule = (cel: string, options: Options & { holds?: (value: never) => boolean } = {}): ValidationRule => ({
  rule: cel,
  ...options,
});

/** Exactly one of the fields is set. */
export const exactlyOneOf = (...fields: string[]): ValidationRule => ({
  rule: `[${fields.map(has).join(', ')}].filter(x, x).size() == 1`,
  message: `exactly one of ${list(fields)} must be set`,
  holds: ((u: unknown) => present(u, fields) === 1) as (value: never) => boolean,
});

/** At most one of the fields is set. */
export const atMostOneOf = (...fields: string[]): ValidationRule => ({
  rule: `[${fields.map(has).join(', ')}].filter(x, x).size() <= 1`,
  message: `at most one of ${list(fields)} may be set`,
  holds: ((u: unknown) => present(u, fields) <= 1) as (value: never) => boolean,
});

/** At least one of the fields is set. */
export const atLeastOneOf = (...fields: string[]): ValidationRule => ({
  rule: fields.map(has).join(' || '),
  message: `at least one of ${list(fields)} must be set`,
  holds: ((u: unknown) => present(u, fields) >= 1) as (value: never) => boolean,
});

/** `low <= high` (numbers or strings) when both are set. */
export const ordered = (low: string, high: string): ValidationRule => ({
  rule: `!${has(low)} || !${has(high)} || self.${celField(low)} <= self.${celField(high)}`,
  message: `${low} must not exceed ${high}`,
  holds: ((u: unknown) => {
    if (!isJsonObject(u) || !(low in u) || !(high in u)) return true;
    const [a, b] = [u[low], u[high]];
    return (typeof a === 'string' && typeof b === 'string') ||
      ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint'))
      ? (a as number) <= (b as number)
      : true;
  }) as (value: never) => boolean,
});

/**
 * The value cannot change once set (a transition rule: the apiserver compares with `oldSelf`).
 * One value alone always satisfies it, so its JavaScript check is trivially true.
 */
export const immutable = (message = 'is immutable'): ValidationRule => ({
  rule: 'self == oldSelf',
  message,
  holds: (() => true) as (value: never) => boolean,
});
