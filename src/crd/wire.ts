import { createRequire } from 'node:module';
import type * as K8s from '@kubernetes/client-node';

/**
 * @kubernetes/client-node, loaded the first time a CRD is written or a schema read: the library
 * is large (about 80 MB of memory once loaded) and the webhook, which imports this module through
 * the package's entry point with the kinds, never needs it. Synchronous: require() of an ES module
 * (Node 20.19 and later, which package.json's engines asks for).
 */
let library: typeof K8s | undefined;
const k8s = (): typeof K8s => (library ??= createRequire(import.meta.url)('@kubernetes/client-node') as typeof K8s);

/**
 * @kubernetes/client-node's model types name some fields for JavaScript (`_enum`,
 * `x_kubernetes_int_or_string`, `ref`); the apiserver reads their JSON names (`enum`,
 * `x-kubernetes-int-or-string`, `$ref`). This turns a model object into its wire form, walking each
 * model class's attribute map, so the output's key order is that map's: stable by construction.
 *
 * The library's own serializer is not used because it passes fields typed `any` through
 * untouched, and `items` and `additionalProperties` of a JSON schema are typed `any`: their
 * nested schemas would keep the JavaScript names. A key the model does not know is an error:
 * it would otherwise reach the file under a name the apiserver ignores.
 */
export function toWire(value: unknown, type: string): unknown {
  if (value === undefined || value === null) return value;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return (value as unknown[]).map((item) => toWire(item, array[1]!));
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toWire(v, map[1]!)]));
  }
  const model = modelClass(type);
  if (!model) return value; // string, number, boolean, any, Date, ...
  return modelToWire(value as Record<string, unknown>, type, model);
}

interface ModelClass {
  getAttributeTypeMap(): Array<{ name: string; baseName: string; type: string }>;
}

const modelClass = (type: string): ModelClass | undefined => {
  const candidate = (k8s() as unknown as Record<string, unknown>)[type] as Partial<ModelClass> | undefined;
  return typeof candidate?.getAttributeTypeMap === 'function' ? (candidate as ModelClass) : undefined;
};

/** JSON-schema fields typed `any` in the model that hold a nested schema when they hold an object. */
const schemaValued: Record<string, readonly string[]> = {
  V1JSONSchemaProps: ['items', 'additionalProperties', 'additionalItems'],
};

function modelToWire(value: Record<string, unknown>, type: string, model: ModelClass): Record<string, unknown> {
  const attributes = model.getAttributeTypeMap();
  const known = new Set(attributes.map((a) => a.name));
  const unknown = Object.keys(value).filter((k) => !known.has(k) && value[k] !== undefined);
  if (unknown.length) throw new Error(`toWire: ${type} has no field ${unknown.join(', ')}`);
  const out: Record<string, unknown> = {};
  for (const { name, baseName, type: fieldType } of attributes) {
    const field = value[name];
    if (field === undefined) continue;
    const nestedSchema = schemaValued[type]?.includes(name) && typeof field === 'object' && !Array.isArray(field);
    out[baseName] = toWire(field, nestedSchema ? type : fieldType);
  }
  return out;
}

/**
 * The reverse of `toWire` for JSON schemas: a schema in the CRD's spelling (`enum`,
 * `x-kubernetes-list-type`, `$ref`) in @kubernetes/client-node's (`_enum`,
 * `x_kubernetes_list_type`, `ref`). Values of `default`, `example` and `enum` are data and stay as
 * they are. A key the model does not know is an error.
 */
export function schemaFromWire(wire: unknown): K8s.V1JSONSchemaProps {
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) {
    throw new Error(`schemaFromWire: a schema must be an object, not ${JSON.stringify(wire)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wire)) {
    const attribute = schemaAttributes().get(key);
    if (!attribute) throw new Error(`schemaFromWire: ${key} is not a JSON-schema keyword Kubernetes knows`);
    out[attribute.name] = nestedFromWire(attribute.name, value);
  }
  return out as K8s.V1JSONSchemaProps;
}

const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_MAPS = new Set(['properties', 'definitions', 'patternProperties']);

function nestedFromWire(name: string, value: unknown): unknown {
  if (SCHEMA_LISTS.has(name) && Array.isArray(value)) return value.map(schemaFromWire);
  if (SCHEMA_MAPS.has(name) && typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schemaFromWire(v)]));
  }
  if (
    (name === 'items' || name === 'additionalProperties' || name === 'additionalItems' || name === 'not') &&
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value)
  ) {
    return schemaFromWire(value);
  }
  if (name === 'x_kubernetes_validations' && Array.isArray(value)) return value.map((r) => ({ ...r }));
  return value;
}

let attributes: Map<string, { name: string }> | undefined;
const schemaAttributes = () =>
  (attributes ??= new Map(
    k8s()
      .V1JSONSchemaProps.getAttributeTypeMap()
      .map((a) => [a.baseName, { name: a.name }]),
  ));
