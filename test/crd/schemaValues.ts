import fc from 'fast-check';
import { evaluate } from '@marcbachmann/cel-js';
import { RE2 } from 're2-wasm';
import { celField } from '../../src/model/rules.js';
import { formatArbitrary } from '../../src/testing/generators/arbitraryAnnotations.js';
import { STRING_FORMATS } from '../../src/model/formats.js';
import { patternRegExp } from '../../src/model/pattern.js';

/**
 * Two views of a structural schema (wire form) as the apiserver applies it, for checking that a
 * CRD admits exactly what its codec does:
 * - `valueProblems`: why the apiserver would reject a value, or prune part of it;
 * - `schemaArbitrary`: values the apiserver would accept and keep whole.
 * They cover the keywords the generator writes (type, format, nullable, enum, properties,
 * required, additionalProperties, items, min/max bounds, lengths, pattern, int-or-string,
 * preserve-unknown-fields, formats, exclusive bounds, multipleOf, property counts, list-set and
 * list-map uniqueness, embedded resources), not the whole of OpenAPI. Patterns are matched by
 * Google's RE2 (re2-wasm), as the apiserver matches them; CEL rules (x-kubernetes-validations) are
 * evaluated with a CEL interpreter, except transition rules (those that read oldSelf).
 */
type Schema = Record<string, any>;

const INT32 = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const isInteger = (u: unknown): u is number | bigint =>
  (typeof u === 'number' && Number.isInteger(u)) || typeof u === 'bigint';
const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);
const codePoints = (s: string) => [...s].length;
const re2Cache = new Map<string, RE2>();
const re2 = (pattern: string) => {
  let r = re2Cache.get(pattern);
  if (!r) re2Cache.set(pattern, (r = new RE2(pattern, 'u')));
  return r;
};
const canonical = (u: unknown) => JSON.stringify(u, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
const duplicated = (items: unknown[], key: (u: unknown) => string) => new Set(items.map(key)).size !== items.length;
const same = (a: unknown, b: unknown) =>
  JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ===
  JSON.stringify(b, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** A JSON value as CEL sees it: property names escaped as the apiserver escapes them. */
function celValue(u: unknown): unknown {
  if (Array.isArray(u)) return u.map(celValue);
  if (!isPlainObject(u)) return typeof u === 'number' && Number.isInteger(u) ? BigInt(u) : u;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(u)) {
    let name: string;
    try {
      name = celField(k);
    } catch {
      continue; // a key CEL cannot name cannot be read by a rule either
    }
    Object.defineProperty(out, name, { value: celValue(v), enumerable: true });
  }
  return out;
}

/** The failing CEL rules of a node (transition rules, which need the old object, are skipped). */
export function ruleProblems(schema: Schema, value: unknown): string[] {
  const rules = (schema['x-kubernetes-validations'] ?? []) as Array<{ rule: string; message?: string }>;
  const out: string[] = [];
  for (const { rule, message } of rules) {
    if (/\boldSelf\b/.test(rule)) continue;
    let ok: unknown;
    try {
      ok = evaluate(rule, { self: celValue(value) });
    } catch (e) {
      ok = `error: ${(e as Error).message}`;
    }
    if (ok !== true) out.push(`rule ${rule} fails${message ? ` (${message})` : ''}: ${String(ok)}`);
  }
  return out;
}

/** Why the apiserver would reject `value` under `schema`, or drop part of it by pruning. */
export function valueProblems(schema: Schema, value: unknown, path = '$'): string[] {
  const out: string[] = [];
  const add = (why: string) => out.push(`${path}: ${why}`);
  if (value !== null) for (const p of ruleProblems(schema, value)) add(p);
  if (value === null) {
    if (schema.nullable !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true) add('null is not allowed');
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) add('null is not in the enum');
    return out;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e: unknown) => same(e, value)))
    add(`${String(value)} is not in the enum`);
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeof value === 'string') stringProblems(schema, value, add);
    else if (isInteger(value)) numberProblems(schema, value, add);
    else add('must be an integer or a string');
    return out;
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') add('must be a string');
      else stringProblems(schema, value, add);
      break;
    case 'integer':
      if (!isInteger(value)) add('must be an integer');
      else numberProblems(schema, value, add);
      break;
    case 'number':
      if (typeof value !== 'number' && typeof value !== 'bigint') add('must be a number');
      else numberProblems(schema, value, add);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') add('must be a boolean');
      break;
    case 'array':
      if (!Array.isArray(value)) add('must be an array');
      else {
        if (schema.minItems !== undefined && value.length < schema.minItems) add(`fewer than ${schema.minItems} items`);
        if (schema.maxItems !== undefined && value.length > schema.maxItems) add(`more than ${schema.maxItems} items`);
        value.forEach((item, i) => out.push(...valueProblems(schema.items as Schema, item, `${path}[${i}]`)));
        if (schema['x-kubernetes-list-type'] === 'set' && duplicated(value, canonical))
          add('duplicate entries in a set');
        const keys = schema['x-kubernetes-list-map-keys'] as string[] | undefined;
        if (schema['x-kubernetes-list-type'] === 'map' && keys) {
          const key = (item: unknown) => canonical(keys.map((k) => (isPlainObject(item) ? item[k] : undefined)));
          if (duplicated(value, key)) add(`duplicate entries for the keys ${keys.join(', ')}`);
        }
      }
      break;
    case 'object':
      if (!isPlainObject(value)) add('must be an object');
      else out.push(...objectProblems(schema, value, path));
      break;
    case undefined:
      if (schema['x-kubernetes-preserve-unknown-fields'] !== true) add('the schema has no type');
      break;
    default:
      add(`unknown type ${String(schema.type)}`);
  }
  return out;
}

function stringProblems(schema: Schema, value: string, add: (why: string) => void): void {
  const n = codePoints(value);
  if (schema.minLength !== undefined && n < schema.minLength) add(`shorter than ${schema.minLength}`);
  if (schema.maxLength !== undefined && n > schema.maxLength) add(`longer than ${schema.maxLength}`);
  if (schema.pattern !== undefined && !re2(schema.pattern).test(value)) add(`does not match ${schema.pattern}`);
  const format = STRING_FORMATS[String(schema.format)];
  if (schema.format !== 'date-time' && format && !format(value)) add(`is not a ${String(schema.format)}`);
  if (schema.format === 'date-time' && !RFC3339.test(value))
    add('is not a date-time as the apiserver reads it (RFC 3339 with a T between date and time)');
}

function numberProblems(schema: Schema, value: number | bigint, add: (why: string) => void): void {
  const range = schema.format === 'int32' ? INT32 : schema.format === 'int64' ? INT64 : undefined;
  if (range && isInteger(value) && (BigInt(value) < range[0] || BigInt(value) > range[1]))
    add(`out of ${schema.format} range`);
  if (schema.minimum !== undefined && value < schema.minimum) add(`less than ${schema.minimum}`);
  if (schema.maximum !== undefined && value > schema.maximum) add(`more than ${schema.maximum}`);
  if (schema.exclusiveMinimum === true && value === schema.minimum) add(`not more than ${schema.minimum}`);
  if (schema.exclusiveMaximum === true && value === schema.maximum) add(`not less than ${schema.maximum}`);
  const multiple =
    schema.multipleOf === undefined ||
    (typeof value === 'bigint'
      ? Number.isInteger(schema.multipleOf) && value % BigInt(schema.multipleOf) === 0n
      : Number.isInteger(value / schema.multipleOf));
  if (!multiple) add(`not a multiple of ${schema.multipleOf}`);
}

function objectProblems(schema: Schema, value: Record<string, unknown>, path: string): string[] {
  const out: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const n = Object.keys(value).length;
  if (schema.minProperties !== undefined && n < schema.minProperties)
    out.push(`${path}: fewer than ${schema.minProperties} properties`);
  if (schema.maxProperties !== undefined && n > schema.maxProperties)
    out.push(`${path}: more than ${schema.maxProperties} properties`);
  if (schema['x-kubernetes-embedded-resource'] === true) {
    for (const key of ['apiVersion', 'kind']) {
      if (typeof value[key] !== 'string' || value[key] === '')
        out.push(`${path}.${key}: required in an embedded resource`);
    }
  }
  for (const key of (schema.required ?? []) as string[]) {
    if (!(key in value)) out.push(`${path}: required field ${key} is missing`);
  }
  for (const [key, field] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (Object.hasOwn(properties, key)) out.push(...valueProblems(properties[key]!, field, at));
    else if (schema['x-kubernetes-embedded-resource'] === true && ['apiVersion', 'kind', 'metadata'].includes(key))
      continue;
    else if (schema.additionalProperties) out.push(...valueProblems(schema.additionalProperties as Schema, field, at));
    else if (schema['x-kubernetes-preserve-unknown-fields'] !== true)
      out.push(`${at}: unknown to the schema, would be pruned`);
  }
  return out;
}

/** JSON values of any shape, for the parts of a schema that keep unknown fields. */
const anyJson: fc.Arbitrary<unknown> = fc
  .jsonValue({ maxDepth: 2 })
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/** Values the apiserver accepts under `schema`, numbers beyond 2^53 as bigint (a lossless parse). */
export function schemaArbitrary(schema: Schema): fc.Arbitrary<unknown> {
  const unruled = nonNullArbitrary(schema);
  // What the generators below do not shape (rules, exclusive bounds, multipleOf), a filter keeps out.
  const narrowed =
    schema['x-kubernetes-validations'] ||
    schema.multipleOf !== undefined ||
    schema.exclusiveMinimum ||
    schema.exclusiveMaximum;
  const base = narrowed ? unruled.filter((v) => valueProblems(schema, v).length === 0) : unruled;
  if (schema.nullable !== true) return base;
  return fc.oneof(base, fc.constant(null));
}

const int64Value = (min: bigint, max: bigint): fc.Arbitrary<number | bigint> =>
  fc
    .bigInt({ min, max })
    .map((n) => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n));

function integerArbitrary(schema: Schema): fc.Arbitrary<number | bigint> {
  const [lo, hi] = schema.format === 'int32' ? INT32 : INT64;
  const min = schema.minimum !== undefined ? BigInt(Math.ceil(schema.minimum)) : lo;
  const max = schema.maximum !== undefined ? BigInt(Math.floor(schema.maximum)) : hi;
  return int64Value(min > lo ? min : lo, max < hi ? max : hi);
}

function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  const lengthOk = (s: string) =>
    (schema.minLength === undefined || codePoints(s) >= schema.minLength) &&
    (schema.maxLength === undefined || codePoints(s) <= schema.maxLength);
  const format = formatArbitrary(String(schema.format));
  if (format) return format.filter(lengthOk);
  if (schema.pattern !== undefined) return fc.stringMatching(patternRegExp(schema.pattern)).filter(lengthOk);
  return fc
    .string({ unit: 'binary', minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 12, 12) })
    .filter(lengthOk);
}

function nonNullArbitrary(schema: Schema): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]).filter((v) => v !== null));
  if (schema['x-kubernetes-int-or-string'] === true) {
    return fc.oneof(integerArbitrary({ ...schema, format: 'int64' }), stringArbitrary(schema));
  }
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return integerArbitrary(schema);
    case 'number': {
      const double = fc
        .double({ noNaN: true, noDefaultInfinity: true, min: schema.minimum ?? -1e300, max: schema.maximum ?? 1e300 })
        .map((n) => (Object.is(n, -0) ? 0 : n));
      // An integer beyond 2^53 in a number field: the apiserver stores it, the lossless parse reads a bigint.
      return schema.minimum === undefined && schema.maximum === undefined
        ? fc.oneof({ arbitrary: double, weight: 4 }, int64Value(INT64[0], INT64[1]))
        : double;
    }
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const listType = schema['x-kubernetes-list-type'];
      const keys = (schema['x-kubernetes-list-map-keys'] ?? []) as string[];
      const key = (item: unknown) =>
        listType === 'map' ? canonical(keys.map((k) => (isPlainObject(item) ? item[k] : undefined))) : canonical(item);
      const range = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) };
      return listType === 'set' || listType === 'map'
        ? fc.uniqueArray(schemaArbitrary(schema.items as Schema), { ...range, selector: key })
        : fc.array(schemaArbitrary(schema.items as Schema), range);
    }
    case 'object':
      return objectArbitrary(schema);
    default:
      return anyJson;
  }
}

function objectArbitrary(schema: Schema): fc.Arbitrary<unknown> {
  const counted = (v: Record<string, unknown>) =>
    (schema.minProperties === undefined || Object.keys(v).length >= schema.minProperties) &&
    (schema.maxProperties === undefined || Object.keys(v).length <= schema.maxProperties);
  const embedded = (arb: fc.Arbitrary<Record<string, unknown>>) =>
    schema['x-kubernetes-embedded-resource'] === true
      ? arb.map((v) => Object.assign({}, v, { apiVersion: 'v1', kind: 'ConfigMap' }))
      : arb;
  if (schema.additionalProperties) {
    const dict = fc.dictionary(fc.string({ maxLength: 8 }), schemaArbitrary(schema.additionalProperties as Schema), {
      minKeys: schema.minProperties ?? 0,
      maxKeys: Math.max(3, schema.minProperties ?? 0),
    });
    return embedded(dict).filter(counted);
  }
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  if (!Object.keys(properties).length && schema['x-kubernetes-preserve-unknown-fields'] === true) {
    return embedded(fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 })).filter(counted);
  }
  const fields = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, schemaArbitrary(s)]));
  const required = (schema.required ?? []) as string[];
  return embedded(fc.record(fields, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>).filter(
    counted,
  );
}
