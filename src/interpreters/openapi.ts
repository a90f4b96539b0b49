import type { V1JSONSchemaProps } from '@kubernetes/client-node';
import type * as t from 'io-ts';
import { isAnnotated, type AnnotatedType, type SchemaAnnotations } from '../model/annotations.js';
import { inspect, unhandled, type CodecNode } from '../model/inspect.js';
import { isLeaf } from '../model/leaf.js';
import { isConstrained, type Constraints } from '../model/constraints.js';
import { formatTypes } from '../model/formats.js';
import { patternProblem } from '../model/pattern.js';
import { QUANTITY_PATTERN } from '../model/strings.js';
import { schemaFromWire } from '../crd/wire.js';
import { lenient } from './lenient.js';

/**
 * Interpreter: codec -> the OpenAPI v3 schema the CRD states for it (a structural schema, in
 * @kubernetes/client-node's model types: `_enum`, `x_kubernetes_int_or_string`, ...).
 *
 * What a codec says that a structural schema cannot (non-nullable unions of shapes, tuples,
 * recursion, a bare null) is an Error naming the codec and where it sits, never a guess.
 *
 * Where a codec says more than OpenAPI can, the schema says what it can:
 * - `constrained(c, ...)` states its constraints (minimum, maximum, minLength, maxLength,
 *   pattern, minItems, maxItems, description); a pattern must be RE2 with an exact JavaScript
 *   translation (model/pattern.ts), or it is an error;
 * - `annotate(c, ...)` states its annotations (description, default, format, list and map types,
 *   CEL rules, ...), each checked against the type it is stated on;
 * - any other refinement (a `t.brand`, a `t.refinement` predicate) has only its base type in the
 *   schema: the predicate is code, which the apiserver cannot run;
 * - `t.Int` is `integer`/`int64`, although it admits integers beyond 2^63 that the apiserver
 *   rejects: use `Int32` or `Int64` to say exactly what Kubernetes stores.
 * A field of `t.type` is required unless its codec admits `undefined` (e.g. `t.unknown`, or a
 * union with `t.undefined`), which is how io-ts itself reads a missing key.
 */
export function openApiSchema(codec: t.Mixed): V1JSONSchemaProps {
  return schemaAt(codec, '');
}

/** The schemas of leaf codecs (`LeafType`), by name; every interpreter has such a registry. */
const leafSchemas = new Map<string, V1JSONSchemaProps>();

/**
 * Tell the interpreter the schema of a leaf codec of yours: `registerLeafSchema('Port', {type:
 * 'integer', format: 'int32', minimum: 1, maximum: 65535})`. Registering a name again replaces it.
 */
export function registerLeafSchema(name: string, schema: V1JSONSchemaProps): void {
  leafSchemas.set(name, structuredClone(schema));
}

/** Kubernetes' own structural form for a value that is an integer or a string. */
const intOrString = (): V1JSONSchemaProps => ({
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  x_kubernetes_int_or_string: true,
});

registerLeafSchema('Int32', { type: 'integer', format: 'int32' });
registerLeafSchema('Int64', { type: 'integer', format: 'int64' });
registerLeafSchema('Integer', { type: 'integer' });
registerLeafSchema('JsonValue', { x_kubernetes_preserve_unknown_fields: true });
registerLeafSchema('IntOrString', intOrString());
// The Quantity codec takes integers only as plain numbers, up to 2^53 - 1: the bounds keep the
// apiserver from storing an integer quantity the service could not decode (bounds apply to the
// integer form only, the pattern to the string form).
registerLeafSchema('Quantity', {
  ...intOrString(),
  minimum: Number.MIN_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
  pattern: QUANTITY_PATTERN,
});
registerLeafSchema('DateTime', { type: 'string', format: 'date-time' });
registerLeafSchema('FreeForm', { type: 'object', x_kubernetes_preserve_unknown_fields: true });

/** Why a codec has no structural schema, with the codec's name and its place in the object. */
export class SchemaError extends Error {
  constructor(codec: t.Mixed, path: string, reason: string) {
    super(`openApiSchema: ${codec.name}${path ? ` at ${path}` : ''}: ${reason}`);
    this.name = 'SchemaError';
  }
}

type LiteralNode = Extract<CodecNode, { kind: 'literal' | 'keyof' }>;

const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

function schemaAt(codec: t.Mixed, path: string): V1JSONSchemaProps {
  const node = inspect(codec);
  switch (node.kind) {
    case 'props':
      return objectSchema(node.props, node.required, path);
    case 'wrapper':
      // Key stripping and immutability are about the TypeScript value, not the JSON.
      return schemaAt(node.inner, path);
    case 'intersection':
      return intersectionSchema(node, path);
    case 'array':
      return { type: 'array', items: schemaAt(node.item, `${path}[]`) };
    case 'unknownArray':
      return { type: 'array', items: { x_kubernetes_preserve_unknown_fields: true } };
    case 'record':
      return dictionarySchema(node, path);
    case 'unknownRecord':
      return { type: 'object', x_kubernetes_preserve_unknown_fields: true };
    case 'union':
      return unionSchema(codec, path);
    case 'literal':
    case 'keyof':
      return enumSchema(codec, literalValues(node), path);
    case 'string':
      return { type: 'string' };
    case 'number':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'unknown':
      return { x_kubernetes_preserve_unknown_fields: true };
    case 'refinement':
      return refinementSchema(node, path);
    case 'null':
      throw new SchemaError(codec, path, 'a structural schema has no null type: use nullable(codec)');
    case 'tuple':
      throw new SchemaError(codec, path, 'a structural schema cannot express a tuple: use an array or an object');
    case 'recursive':
      throw new SchemaError(codec, path, 'a structural schema cannot recurse');
    case 'undefined':
      throw new SchemaError(codec, path, `no OpenAPI schema for codecs of kind ${codec.name}`);
    case 'leaf':
      if (isLeaf(codec)) return leafSchema(codec, path);
      throw new SchemaError(codec, path, `no OpenAPI schema for codecs of kind ${node.tag ?? '(untagged)'}`);
    default:
      return unhandled(node);
  }
}

function objectSchema(props: t.Props, fromType: boolean, path: string): V1JSONSchemaProps {
  const properties: Record<string, V1JSONSchemaProps> = {};
  const required: string[] = [];
  for (const [key, value] of Object.entries(props)) {
    const prop = value as t.Mixed;
    properties[key] = schemaAt(prop, child(path, key));
    // io-ts reads a missing key as `undefined`: a field whose codec admits that is optional.
    if (fromType && !prop.is(undefined)) required.push(key);
  }
  // An object with no fields is `type: object` alone, as CRDs write it (pruning keeps nothing).
  return {
    type: 'object',
    ...(Object.keys(properties).length ? { properties } : {}),
    ...(required.length ? { required } : {}),
  };
}

/** An intersection of object codecs is one object with the fields of all of them. */
function intersectionSchema(node: Extract<CodecNode, { kind: 'intersection' }>, path: string): V1JSONSchemaProps {
  const c = node.codec;
  const properties: Record<string, V1JSONSchemaProps> = {};
  const required: string[] = [];
  const descriptions: string[] = [];
  for (const part of node.members) {
    const s = schemaAt(part, path);
    const { type, properties: props = {}, required: req, description, ...rest } = s;
    if (type !== 'object' || Object.keys(rest).length) {
      throw new SchemaError(
        c,
        path,
        `only intersections of object codecs (t.type, t.partial) have a schema, not of ${part.name}`,
      );
    }
    for (const [key, value] of Object.entries(props)) {
      const seen = properties[key];
      if (seen && JSON.stringify(seen) !== JSON.stringify(value)) {
        throw new SchemaError(c, path, `field ${key} is declared twice with different types`);
      }
      properties[key] = value;
    }
    for (const key of req ?? []) if (!required.includes(key)) required.push(key);
    if (description) descriptions.push(description);
  }
  return {
    type: 'object',
    ...(descriptions.length ? { description: descriptions.join('\n') } : {}),
    properties,
    ...(required.length ? { required } : {}),
  };
}

/**
 * `t.record(t.string, V)` is a map (`additionalProperties`); a record over a finite set of keys
 * (`t.keyof`, literals) is an object that has every one of them, as io-ts checks it.
 */
function dictionarySchema(node: Extract<CodecNode, { kind: 'record' }>, path: string): V1JSONSchemaProps {
  const c = node.codec;
  const domain = node.domain;
  const keys = domainKeys(domain);
  if (keys) {
    const properties: Record<string, V1JSONSchemaProps> = {};
    for (const key of keys) properties[key] = schemaAt(node.codomain, child(path, key));
    return { type: 'object', properties, ...(keys.length ? { required: [...keys] } : {}) };
  }
  if (!isStringDomain(domain)) {
    throw new SchemaError(c, path, `map keys must be strings, not ${domain.name}`);
  }
  return { type: 'object', additionalProperties: schemaAt(node.codomain, `${path}[*]`) };
}

function domainKeys(domain: t.Mixed): string[] | undefined {
  const node = inspect(domain);
  if (node.kind === 'keyof' || node.kind === 'literal') {
    const values = literalValues(node);
    return values.every((v) => typeof v === 'string') ? (values as string[]) : undefined;
  }
  if (node.kind === 'union') {
    const parts = node.members.map(domainKeys);
    return parts.every((p) => p !== undefined) ? parts.flat() : undefined;
  }
  return undefined;
}

/** Map keys are strings in JSON: the domain may be `t.string` or a refinement of it. */
const isStringDomain = (domain: t.Mixed): boolean => {
  const node = inspect(domain);
  return node.kind === 'string' || (node.kind === 'refinement' && isStringDomain(node.base));
};

type Literal = string | number | boolean | null;

const literalValues = (node: LiteralNode): Literal[] =>
  node.kind === 'literal' ? [node.value] : Object.keys(node.keys);

/** Every alternative of a union, nested unions flattened. */
const alternatives = (c: t.Mixed): CodecNode[] => {
  const node = inspect(c);
  return node.kind === 'union' ? node.members.flatMap(alternatives) : [node];
};

/**
 * Structural schemas have no unions of shapes. What they can say:
 * - `X | null` is X with `nullable: true`,
 * - `X | undefined` is X (the field may be missing: see objectSchema),
 * - a union of literals (and `t.keyof`) is an enum.
 */
function unionSchema(c: t.Mixed, path: string): V1JSONSchemaProps {
  const all = alternatives(c);
  const nullable = all.some((m) => m.kind === 'null');
  const rest = all.filter((m) => m.kind !== 'null' && m.kind !== 'undefined');
  const isLiteral = (m: CodecNode): m is LiteralNode => m.kind === 'literal' || m.kind === 'keyof';
  let schema: V1JSONSchemaProps;
  if (rest.length === 0) {
    throw new SchemaError(c, path, 'a union of only null and undefined has no structural schema');
  } else if (rest.every(isLiteral)) {
    schema = enumSchema(c, rest.flatMap(literalValues), path);
  } else if (rest.length === 1) {
    schema = schemaAt(rest[0]!.codec, path);
  } else {
    throw new SchemaError(
      c,
      path,
      'a structural schema cannot express a union of different shapes; only X | null (nullable) and unions of literals (enum) have one',
    );
  }
  if (!nullable) return schema;
  // The apiserver checks `enum` against null values too: a nullable enum must list null.
  return { ...schema, nullable: true, ...(schema._enum ? { _enum: [...schema._enum, null] } : {}) };
}

/** One JSON type for all the values of an enum; integers are `integer`/`int64`. */
function enumSchema(c: t.Mixed, values: Literal[], path: string): V1JSONSchemaProps {
  const unique = [...new Set(values)];
  const types = new Set(unique.map((v) => (typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v)));
  if (types.has('integer') && types.has('number')) types.delete('integer');
  const [type, ...others] = [...types];
  if (!type || others.length) {
    throw new SchemaError(
      c,
      path,
      `the values of an enum must share one type, found ${[...types].join(', ') || 'none'}`,
    );
  }
  return { type, ...(type === 'integer' ? { format: 'int64' } : {}), _enum: unique };
}

function refinementSchema(node: Extract<CodecNode, { kind: 'refinement' }>, path: string): V1JSONSchemaProps {
  const c = node.codec;
  const base = schemaAt(node.base, path);
  if (isConstrained(c)) return withConstraints(c, base, c.constraints, path);
  if (isAnnotated(c)) return withAnnotations(c, base, c.annotations, path);
  // t.Int is a brand of number: say integer, the closest OpenAPI has.
  if (c.name === 'Int' && base.type === 'number') return { type: 'integer', format: 'int64' };
  return base;
}

/** Which JSON types each constraint applies to; a constraint on another type is a mistake. */
const constraintTypes: Record<keyof Constraints, readonly string[] | 'any'> = {
  description: 'any',
  minimum: ['integer', 'number'],
  maximum: ['integer', 'number'],
  minLength: ['string'],
  maxLength: ['string'],
  pattern: ['string'],
  minItems: ['array'],
  maxItems: ['array'],
};

function withConstraints(
  c: t.Mixed,
  base: V1JSONSchemaProps,
  constraints: Constraints,
  path: string,
): V1JSONSchemaProps {
  const types = base.x_kubernetes_int_or_string ? ['integer', 'string'] : base.type ? [base.type] : [];
  const result: V1JSONSchemaProps = { ...base };
  for (const [key, value] of Object.entries(constraints) as Array<[keyof Constraints, string | number | undefined]>) {
    if (value === undefined) continue;
    const allowed = constraintTypes[key];
    if (allowed !== 'any' && !types.some((ty) => allowed.includes(ty))) {
      throw new SchemaError(c, path, `${key} does not apply to a value of type ${types.join(' or ') || 'unknown'}`);
    }
    if (key === 'pattern') {
      const problem = patternProblem(value as string);
      if (problem) throw new SchemaError(c, path, problem);
    }
    (result as Record<string, unknown>)[key] = value;
  }
  return result;
}

/** The JSON types a schema node holds values of (both for int-or-string, none when unknown). */
const typesOf = (s: V1JSONSchemaProps): string[] =>
  s.x_kubernetes_int_or_string ? ['integer', 'string'] : s.type ? [s.type] : [];

/** Which JSON types each annotation applies to (`any`: all). */
const annotationTypes: Record<keyof SchemaAnnotations, readonly string[] | 'any'> = {
  description: 'any',
  title: 'any',
  default: 'any',
  example: 'any',
  externalDocs: 'any',
  format: 'any', // checked against the format below
  exclusiveMinimum: ['integer', 'number'],
  exclusiveMaximum: ['integer', 'number'],
  multipleOf: ['integer', 'number'],
  minProperties: ['object'],
  maxProperties: ['object'],
  listType: ['array'],
  listMapKeys: ['array'],
  mapType: ['object'],
  validations: 'any',
  embeddedResource: ['object'],
  preserveUnknownFields: 'any',
  anyOf: 'any',
  allOf: 'any',
  oneOf: 'any',
  not: 'any',
  typeMeta: ['object'],
};

function withAnnotations(
  c: AnnotatedType<t.Mixed>,
  base: V1JSONSchemaProps,
  a: SchemaAnnotations,
  path: string,
): V1JSONSchemaProps {
  const types = typesOf(base);
  const wrong = (reason: string) => new SchemaError(c, path, reason);
  for (const [key, value] of Object.entries(a) as Array<[keyof SchemaAnnotations, unknown]>) {
    if (value === undefined) continue;
    const allowed = annotationTypes[key];
    if (allowed === undefined) throw wrong(`unknown annotation ${key}`);
    if (allowed !== 'any' && !types.some((ty) => allowed.includes(ty))) {
      throw wrong(`${key} does not apply to a value of type ${types.join(' or ') || 'unknown'}`);
    }
  }
  const result: V1JSONSchemaProps = { ...base };
  if (a.description !== undefined) result.description = a.description;
  if (a.title !== undefined) result.title = a.title;
  if (a.format === null) delete result.format;
  else if (a.format !== undefined) {
    const fits = formatTypes(a.format);
    if (!fits) throw wrong(`format ${JSON.stringify(a.format)} is not one the apiserver knows`);
    if (!types.some((ty) => fits.includes(ty))) {
      throw wrong(`format ${a.format} does not apply to a value of type ${types.join(' or ') || 'unknown'}`);
    }
    result.format = a.format;
  }
  if (a.exclusiveMinimum !== undefined) {
    if (result.minimum === undefined) throw wrong('exclusiveMinimum needs a minimum (constrained(..., { minimum }))');
    result.exclusiveMinimum = a.exclusiveMinimum;
  }
  if (a.exclusiveMaximum !== undefined) {
    if (result.maximum === undefined) throw wrong('exclusiveMaximum needs a maximum (constrained(..., { maximum }))');
    result.exclusiveMaximum = a.exclusiveMaximum;
  }
  if (a.multipleOf !== undefined) {
    if (!(a.multipleOf > 0)) throw wrong('multipleOf must be positive');
    result.multipleOf = a.multipleOf;
  }
  if (a.minProperties !== undefined) result.minProperties = a.minProperties;
  if (a.maxProperties !== undefined) result.maxProperties = a.maxProperties;
  if (a.listType !== undefined) result.x_kubernetes_list_type = a.listType;
  if (a.listMapKeys !== undefined) {
    if (a.listType !== 'map') throw wrong('listMapKeys needs listType: map');
    listMapKeyProblems(result, a.listMapKeys).forEach((p) => {
      throw wrong(p);
    });
    result.x_kubernetes_list_map_keys = [...a.listMapKeys];
  } else if (a.listType === 'map') {
    throw wrong('listType map needs listMapKeys');
  }
  if (a.listType === 'set' && result.items && typesOf(result.items as V1JSONSchemaProps).includes('object')) {
    throw wrong('listType set needs scalar items (use map with listMapKeys for objects)');
  }
  if (a.mapType !== undefined) result.x_kubernetes_map_type = a.mapType;
  if (a.embeddedResource !== undefined) result.x_kubernetes_embedded_resource = a.embeddedResource;
  if (a.preserveUnknownFields !== undefined) result.x_kubernetes_preserve_unknown_fields = a.preserveUnknownFields;
  for (const key of ['anyOf', 'allOf', 'oneOf'] as const) {
    const list = a[key];
    if (list !== undefined) result[key] = [...(result[key] ?? []), ...list.map(schemaFromWire)];
  }
  if (a.not !== undefined) result.not = schemaFromWire(a.not);
  if (a.validations !== undefined) {
    const rules = a.validations.map(({ holds: _holds, ...rule }) => {
      if (typeof rule.rule !== 'string' || rule.rule.trim() === '') throw wrong('a validation rule must not be empty');
      return { ...rule };
    });
    result.x_kubernetes_validations = [...(result.x_kubernetes_validations ?? []), ...rules];
  }
  if (a.example !== undefined) result.example = structuredClone(a.example);
  if (a.externalDocs !== undefined) result.externalDocs = { ...a.externalDocs };
  if (a.default !== undefined) {
    // The apiserver validates defaults against the schema; at least the type must fit.
    if (!lenient(c.type).is(a.default)) throw wrong(`default ${JSON.stringify(a.default)} is not a value of this type`);
    result._default = structuredClone(a.default);
  }
  return result;
}

/** A list-map's keys must be fields of its items, and required or defaulted (the apiserver's rule). */
function listMapKeyProblems(array: V1JSONSchemaProps, keys: readonly string[]): string[] {
  const items = array.items as V1JSONSchemaProps | undefined;
  if (!items || items.type !== 'object') return ['listType map needs object items'];
  const problems: string[] = [];
  for (const key of keys) {
    const field = items.properties?.[key];
    if (!field) problems.push(`list-map key ${key} is not a field of the items`);
    else if (!items.required?.includes(key) && field._default === undefined) {
      problems.push(`list-map key ${key} must be required or have a default`);
    }
  }
  return problems;
}

function leafSchema(c: t.Mixed, path: string): V1JSONSchemaProps {
  const schema = leafSchemas.get(c.name);
  if (!schema) {
    throw new SchemaError(c, path, `leaf ${c.name} has no registered schema (registerLeafSchema('${c.name}', ...))`);
  }
  return structuredClone(schema);
}
