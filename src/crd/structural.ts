/**
 * Checks a CRD in its wire form (as parsed from YAML or JSON) against the rules the apiserver
 * applies to structural schemas (apiextensions-apiserver pkg/apiserver/schema/validation.go and
 * the CRD validation around it), plus this project's conventions for generated CRDs. It returns
 * every problem with its place, e.g. `spec.versions[1].schema.openAPIV3Schema.properties.spec.type:
 * must not be empty`; an empty list means the CRD is fine.
 *
 * Where it is stricter than Kubernetes, it says so: every integer carries format int32 or int64,
 * and value validations (anyOf, allOf, oneOf, not) may not restate properties or items (the
 * apiserver allows that when the structure repeats them; the generator never needs it).
 */

import { patternProblem } from '../model/pattern.js';
import { isJsonObject } from '../json/objects.js';

type Json = Record<string, unknown>;

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/** Formats the apiserver knows, by the type they describe. */
const FORMATS: Record<string, readonly string[]> = {
  integer: ['int32', 'int64'],
  number: ['float', 'double'],
  string: [
    'bsonobjectid',
    'uri',
    'email',
    'hostname',
    'ipv4',
    'ipv6',
    'cidr',
    'mac',
    'uuid',
    'uuid3',
    'uuid4',
    'uuid5',
    'isbn',
    'isbn10',
    'isbn13',
    'creditcard',
    'ssn',
    'hexcolor',
    'rgbcolor',
    'byte',
    'password',
    'date',
    'duration',
    'datetime',
    'date-time',
  ],
};

/** JSON-schema keywords a CRD schema may not use at all. */
const FORBIDDEN = ['$ref', '$schema', 'id', 'definitions', 'dependencies', 'patternProperties', 'additionalItems'];

/** Every keyword of apiextensions.k8s.io/v1 JSONSchemaProps (anything else is a typo). */
const KNOWN = new Set([
  ...FORBIDDEN,
  'additionalProperties',
  'allOf',
  'anyOf',
  'default',
  'description',
  'enum',
  'example',
  'exclusiveMaximum',
  'exclusiveMinimum',
  'externalDocs',
  'format',
  'items',
  'maxItems',
  'maxLength',
  'maxProperties',
  'maximum',
  'minItems',
  'minLength',
  'minProperties',
  'minimum',
  'multipleOf',
  'not',
  'nullable',
  'oneOf',
  'pattern',
  'properties',
  'required',
  'title',
  'type',
  'uniqueItems',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations',
]);

/** Keywords a value validation (inside anyOf, allOf, oneOf, not) must not hold. */
const NOT_IN_VALUE_VALIDATION = [
  'type',
  'additionalProperties',
  'default',
  'title',
  'description',
  'nullable',
  'externalDocs',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
  // stricter than the apiserver, see above
  'properties',
  'items',
];

/** Which types each value constraint applies to. */
const CONSTRAINT_TYPES: Record<string, readonly string[]> = {
  minimum: ['integer', 'number'],
  maximum: ['integer', 'number'],
  exclusiveMinimum: ['integer', 'number'],
  exclusiveMaximum: ['integer', 'number'],
  multipleOf: ['integer', 'number'],
  minLength: ['string'],
  maxLength: ['string'],
  pattern: ['string'],
  minItems: ['array'],
  maxItems: ['array'],
  minProperties: ['object'],
  maxProperties: ['object'],
};

type Level = 'root' | 'field' | 'item';

class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
}

const INT_OR_STRING_ANY_OF = JSON.stringify([{ type: 'integer' }, { type: 'string' }]);
const isIntOrStringAnyOf = (u: unknown) => JSON.stringify(u) === INT_OR_STRING_ANY_OF;

/** Problems of one version's `openAPIV3Schema`; `path` prefixes the messages. */
export function structuralSchemaProblems(schema: unknown, path = 'openAPIV3Schema'): string[] {
  const p = new Problems();
  checkNode(schema, 'root', path, p);
  return p.list;
}

function checkNode(node: unknown, level: Level, path: string, p: Problems): void {
  if (!isJsonObject(node)) {
    p.add(path, 'must be a schema object');
    return;
  }
  checkKeywords(node, path, p);
  const type = node.type;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  checkType(node, level, intOrString, preserve, path, p);
  checkExtensions(node, path, p);
  const types = intOrString ? ['integer', 'string'] : typeof type === 'string' ? [type] : [];
  checkEnum(node, types, path, p);
  checkFormat(node, path, p);
  checkConstraints(node, types, path, p);
  checkChildren(node, level, path, p);
  checkValueValidations(node, path, p);
  if (level === 'root') checkRootFields(node, path, p);
}

function checkKeywords(node: Json, path: string, p: Problems): void {
  for (const key of Object.keys(node)) {
    if (FORBIDDEN.includes(key)) p.add(`${path}.${key}`, 'is not supported in CRD schemas');
    else if (!KNOWN.has(key)) p.add(`${path}.${key}`, 'is not a JSON-schema keyword Kubernetes knows');
  }
  if (node.uniqueItems === true) p.add(`${path}.uniqueItems`, 'cannot be true in CRD schemas');
  if ('description' in node && typeof node.description !== 'string') p.add(`${path}.description`, 'must be a string');
  if ('nullable' in node && typeof node.nullable !== 'boolean') p.add(`${path}.nullable`, 'must be a boolean');
}

function checkType(node: Json, level: Level, intOrString: boolean, preserve: boolean, path: string, p: Problems): void {
  const type = node.type;
  if (type === undefined || type === '') {
    if (!intOrString && !preserve) {
      p.add(`${path}.type`, 'must not be empty (only int-or-string and preserve-unknown-fields nodes may omit it)');
    }
  } else if (type === 'null') {
    p.add(`${path}.type`, 'null is not a type in structural schemas: use nullable: true');
  } else if (typeof type !== 'string' || !TYPES.includes(type)) {
    p.add(`${path}.type`, `must be one of ${TYPES.join(', ')}, not ${JSON.stringify(type)}`);
  } else if (intOrString) {
    p.add(`${path}.type`, 'must be empty when x-kubernetes-int-or-string is true');
  }
  if (level === 'root' && type !== undefined && type !== 'object') p.add(`${path}.type`, 'must be object at the root');
  if (type === 'integer' && node.format !== 'int32' && node.format !== 'int64') {
    p.add(`${path}.format`, 'an integer must say int32 or int64 (a project convention)');
  }
}

function checkExtensions(node: Json, path: string, p: Problems): void {
  for (const key of [
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-int-or-string',
    'x-kubernetes-embedded-resource',
  ]) {
    if (key in node && node[key] !== true) p.add(`${path}.${key}`, 'must be true or absent');
  }
  if (node['x-kubernetes-int-or-string'] === true && node['x-kubernetes-preserve-unknown-fields'] === true) {
    p.add(`${path}.x-kubernetes-preserve-unknown-fields`, 'must be false if x-kubernetes-int-or-string is true');
  }
  if (node['x-kubernetes-embedded-resource'] === true && node.type !== 'object') {
    p.add(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true');
  }
}

const matchesType = (value: unknown, type: string): boolean => {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isJsonObject(value);
    default:
      return false;
  }
};

function checkEnum(node: Json, types: string[], path: string, p: Problems): void {
  if (!('enum' in node)) return;
  const values = node.enum;
  if (!Array.isArray(values) || values.length === 0) {
    p.add(`${path}.enum`, 'must be a non-empty list');
    return;
  }
  values.forEach((value, i) => {
    if (value === null) {
      if (node.nullable !== true) p.add(`${path}.enum[${i}]`, 'null is only allowed when nullable is true');
    } else if (types.length && !types.some((t) => matchesType(value, t))) {
      p.add(`${path}.enum[${i}]`, `${JSON.stringify(value)} is not of type ${types.join(' or ')}`);
    }
  });
  // The apiserver checks null values against the enum too: without null there, nullable is void.
  if (node.nullable === true && !values.includes(null)) {
    p.add(`${path}.enum`, 'must list null when nullable is true, or the apiserver rejects null');
  }
}

function checkFormat(node: Json, path: string, p: Problems): void {
  if (node.format === undefined) return;
  const format = node.format;
  const type = typeof node.type === 'string' ? node.type : '';
  const allowed = FORMATS[type];
  if (typeof format !== 'string' || !allowed?.includes(format)) {
    p.add(`${path}.format`, `${JSON.stringify(format)} is not a format for type ${type || '(none)'}`);
  }
}

function checkConstraints(node: Json, types: string[], path: string, p: Problems): void {
  for (const [key, applies] of Object.entries(CONSTRAINT_TYPES)) {
    if (!(key in node)) continue;
    if (types.length && !types.some((t) => applies.includes(t))) {
      p.add(`${path}.${key}`, `does not apply to type ${types.join(' or ')}`);
    }
  }
  if (typeof node.pattern === 'string') {
    // RE2, as the apiserver reads it (model/pattern.ts), with an exact JavaScript translation.
    const problem = patternProblem(node.pattern);
    if (problem) p.add(`${path}.pattern`, `is not a valid regular expression: ${problem}`);
  }
}

function checkChildren(node: Json, level: Level, path: string, p: Problems): void {
  const type = node.type;
  const { properties, additionalProperties, items, required } = node;
  if (properties !== undefined) {
    if (!isJsonObject(properties)) p.add(`${path}.properties`, 'must be a map of schemas');
    else {
      if (type !== 'object') p.add(`${path}.properties`, 'only an object has properties');
      for (const [key, child] of Object.entries(properties)) checkNode(child, 'field', `${path}.properties.${key}`, p);
    }
  }
  if (additionalProperties !== undefined) {
    if (additionalProperties === false)
      p.add(`${path}.additionalProperties`, 'must not be false (pruning drops unknown fields)');
    else if (!isJsonObject(additionalProperties)) p.add(`${path}.additionalProperties`, 'must be a schema');
    else checkNode(additionalProperties, 'field', `${path}.additionalProperties`, p);
    if (level === 'root') p.add(`${path}.additionalProperties`, 'must not be used at the root');
    if (properties !== undefined) p.add(path, 'properties and additionalProperties are mutually exclusive');
    if (type !== 'object') p.add(`${path}.additionalProperties`, 'only an object has additionalProperties');
  }
  if (type === 'array' && items === undefined) p.add(`${path}.items`, 'must be specified for an array');
  if (items !== undefined) {
    if (type !== 'array') p.add(`${path}.items`, 'only an array has items');
    checkNode(items, 'item', `${path}.items`, p);
  }
  if (required !== undefined) {
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) {
      p.add(`${path}.required`, 'must be a list of field names');
    } else {
      const known = isJsonObject(properties) ? properties : {};
      for (const name of required) {
        if (!(name in known)) p.add(`${path}.required`, `names ${name}, which is not among the properties`);
      }
    }
  }
}

/** anyOf, allOf, oneOf and not may only narrow values, never describe structure. */
function checkValueValidations(node: Json, path: string, p: Problems): void {
  const skipAnyOf = node['x-kubernetes-int-or-string'] === true && isIntOrStringAnyOf(node.anyOf);
  const allOf = node.allOf;
  const skipFirstAllOf =
    node['x-kubernetes-int-or-string'] === true &&
    Array.isArray(allOf) &&
    isJsonObject(allOf[0]) &&
    isIntOrStringAnyOf(allOf[0].anyOf);
  if (isIntOrStringAnyOf(node.anyOf) && !skipAnyOf) {
    p.add(`${path}.anyOf`, 'the int-or-string form needs x-kubernetes-int-or-string: true');
  }
  checkJunctors(node, path, p, skipAnyOf, skipFirstAllOf);
}

function checkJunctors(node: Json, path: string, p: Problems, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean): void {
  for (const key of ['anyOf', 'allOf', 'oneOf'] as const) {
    if (!(key in node)) continue;
    const list = node[key];
    if (!Array.isArray(list)) {
      p.add(`${path}.${key}`, 'must be a list of schemas');
      continue;
    }
    if (key === 'anyOf' && skipAnyOf) continue;
    list.forEach((v, i) =>
      checkNested(v, `${path}.${key}[${i}]`, p, key === 'allOf' && i === 0 && skipFirstAllOfAnyOf),
    );
  }
  if ('not' in node) checkNested(node.not, `${path}.not`, p, false);
}

function checkNested(node: unknown, path: string, p: Problems, skipAnyOf: boolean): void {
  if (!isJsonObject(node)) {
    p.add(path, 'must be a schema object');
    return;
  }
  for (const key of NOT_IN_VALUE_VALIDATION) {
    if (key in node) p.add(`${path}.${key}`, 'must not appear inside anyOf, allOf, oneOf or not');
  }
  for (const key of FORBIDDEN) if (key in node) p.add(`${path}.${key}`, 'is not supported in CRD schemas');
  checkJunctors(node, path, p, skipAnyOf, false);
}

/** apiVersion and kind are strings; metadata may restrict at most name and generateName. */
function checkRootFields(node: Json, path: string, p: Problems): void {
  const properties = isJsonObject(node.properties) ? node.properties : {};
  for (const key of ['apiVersion', 'kind']) {
    const field = properties[key];
    if (field !== undefined && (!isJsonObject(field) || field.type !== 'string')) {
      p.add(`${path}.properties.${key}.type`, 'must be string');
    }
  }
  const metadata = properties.metadata;
  if (metadata === undefined) return;
  const at = `${path}.properties.metadata`;
  if (!isJsonObject(metadata)) return;
  if (metadata.type !== 'object') p.add(`${at}.type`, 'must be object');
  for (const key of Object.keys(metadata)) {
    if (key !== 'type' && key !== 'properties') {
      p.add(`${at}.${key}`, 'metadata may only restrict name and generateName');
    }
  }
  const fields = isJsonObject(metadata.properties) ? metadata.properties : {};
  for (const [key, field] of Object.entries(fields)) {
    if (key !== 'name' && key !== 'generateName') {
      p.add(`${at}.properties.${key}`, 'metadata may only restrict name and generateName');
    } else if (!isJsonObject(field) || field.type !== 'string') {
      p.add(`${at}.properties.${key}.type`, 'must be string');
    }
  }
}

/** What the CRD's conversion settings must be (the defaults of `crdconv crds`). */
export interface ExpectedConversion {
  readonly service?: { name: string; namespace: string; path: string; port: number };
}

/** Problems of a whole CRD in wire form: its versions' schemas and its settings. */
export function crdProblems(crd: unknown, expected: ExpectedConversion = {}): string[] {
  const p = new Problems();
  if (!isJsonObject(crd)) return ['(crd): must be an object'];
  if (crd.apiVersion !== 'apiextensions.k8s.io/v1') p.add('apiVersion', 'must be apiextensions.k8s.io/v1');
  if (crd.kind !== 'CustomResourceDefinition') p.add('kind', 'must be CustomResourceDefinition');
  const spec = isJsonObject(crd.spec) ? crd.spec : {};
  const names = isJsonObject(spec.names) ? spec.names : {};
  const metadata = isJsonObject(crd.metadata) ? crd.metadata : {};
  if (metadata.name !== `${String(names.plural)}.${String(spec.group)}`) {
    p.add('metadata.name', `must be <plural>.<group> (${String(names.plural)}.${String(spec.group)})`);
  }
  checkNames(names, p);
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') p.add('spec.scope', 'must be Namespaced or Cluster');
  if (spec.preserveUnknownFields === true)
    p.add('spec.preserveUnknownFields', 'must not be true (the Webhook strategy requires pruning)');
  checkVersions(spec.versions, p);
  checkConversion(spec.conversion, expected, p);
  return [...p.list, ...schemaProblemsOf(spec.versions)];
}

function checkNames(names: Json, p: Problems): void {
  for (const key of ['kind', 'plural', 'singular', 'listKind']) {
    if (typeof names[key] !== 'string' || names[key] === '') p.add(`spec.names.${key}`, 'must be a non-empty string');
  }
  for (const key of ['plural', 'singular']) {
    const value = names[key];
    if (typeof value === 'string' && value !== value.toLowerCase()) p.add(`spec.names.${key}`, 'must be lower case');
  }
}

const PRINTER_COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];

function checkVersions(versions: unknown, p: Problems): void {
  if (!Array.isArray(versions) || versions.length === 0) {
    p.add('spec.versions', 'must list at least one version');
    return;
  }
  const seen = new Set<unknown>();
  let storage = 0;
  versions.forEach((v: unknown, i) => {
    const at = `spec.versions[${i}]`;
    if (!isJsonObject(v)) return p.add(at, 'must be an object');
    if (typeof v.name !== 'string' || !/^v[0-9]+((alpha|beta)[0-9]+)?$/.test(v.name)) {
      p.add(`${at}.name`, 'must be a Kubernetes version name (v1, v2beta1, ...)');
    }
    if (seen.has(v.name)) p.add(`${at}.name`, `version ${String(v.name)} is listed twice`);
    seen.add(v.name);
    if (typeof v.served !== 'boolean') p.add(`${at}.served`, 'must be a boolean');
    if (typeof v.storage !== 'boolean') p.add(`${at}.storage`, 'must be a boolean');
    if (v.storage === true) storage++;
    const schema = isJsonObject(v.schema) ? v.schema : {};
    if (!isJsonObject(schema.openAPIV3Schema)) p.add(`${at}.schema.openAPIV3Schema`, 'must be specified');
    if (v.subresources !== undefined) {
      const sub = isJsonObject(v.subresources) ? v.subresources : {};
      if (sub.status !== undefined && JSON.stringify(sub.status) !== '{}')
        p.add(`${at}.subresources.status`, 'must be {}');
    }
    const columns = v.additionalPrinterColumns;
    if (columns !== undefined) {
      (Array.isArray(columns) ? columns : []).forEach((c: unknown, j) => {
        const col = isJsonObject(c) ? c : {};
        if (!PRINTER_COLUMN_TYPES.includes(String(col.type))) {
          p.add(`${at}.additionalPrinterColumns[${j}].type`, `must be one of ${PRINTER_COLUMN_TYPES.join(', ')}`);
        }
        if (typeof col.jsonPath !== 'string' || !col.jsonPath.startsWith('.')) {
          p.add(`${at}.additionalPrinterColumns[${j}].jsonPath`, 'must be a JSON path starting with .');
        }
      });
    }
  });
  if (storage !== 1) p.add('spec.versions', `exactly one version must be the storage version, found ${storage}`);
}

function checkConversion(conversion: unknown, expected: ExpectedConversion, p: Problems): void {
  const c = isJsonObject(conversion) ? conversion : {};
  if (c.strategy !== 'Webhook') return p.add('spec.conversion.strategy', 'must be Webhook');
  const webhook = isJsonObject(c.webhook) ? c.webhook : {};
  if (JSON.stringify(webhook.conversionReviewVersions) !== JSON.stringify(['v1', 'v1beta1'])) {
    p.add('spec.conversion.webhook.conversionReviewVersions', 'must be [v1, v1beta1]');
  }
  const config = isJsonObject(webhook.clientConfig) ? webhook.clientConfig : {};
  if ('caBundle' in config)
    p.add('spec.conversion.webhook.clientConfig.caBundle', 'must not be in the files (injected at install)');
  if ('url' in config) p.add('spec.conversion.webhook.clientConfig.url', 'must not be set: the webhook is a Service');
  const service = isJsonObject(config.service) ? config.service : undefined;
  if (!service) return p.add('spec.conversion.webhook.clientConfig.service', 'must be specified');
  const at = 'spec.conversion.webhook.clientConfig.service';
  for (const key of ['name', 'namespace', 'path']) {
    if (typeof service[key] !== 'string' || service[key] === '') p.add(`${at}.${key}`, 'must be a non-empty string');
  }
  if (typeof service.port !== 'number') p.add(`${at}.port`, 'must be a number');
  if (expected.service) {
    for (const [key, value] of Object.entries(expected.service)) {
      if (service[key] !== value)
        p.add(`${at}.${key}`, `must be ${JSON.stringify(value)}, found ${JSON.stringify(service[key])}`);
    }
  }
}

function schemaProblemsOf(versions: unknown): string[] {
  if (!Array.isArray(versions)) return [];
  return versions.flatMap((v: unknown, i) => {
    const schema = isJsonObject(v) && isJsonObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    return schema === undefined ? [] : structuralSchemaProblems(schema, `spec.versions[${i}].schema.openAPIV3Schema`);
  });
}
