import type { Json } from './codec.js';
import { isJsonObject } from '../json/objects.js';

/**
 * Whether two CRDs (wire form, as parsed from YAML) state the same thing, ignoring order and
 * formatting: object keys in any order, `required`, `enum` and versions as sets, versions matched
 * by name. What crdconv writes by design is left out of the comparison, and only that:
 * - `spec.conversion` (crdconv's webhook), `metadata` other than the name, the CRD's `status`;
 * - `spec.preserveUnknownFields: false` (the default), `deprecated: false`;
 * - `names.singular` and `names.listKind` equal to Kubernetes' defaults, spelled out or not;
 * - `properties: {}` and `required: []`, which say nothing;
 * - the `anyOf: [{type: integer}, {type: string}]` of an int-or-string node, spelled out or not.
 * Everything else counts: descriptions, patterns (byte for byte), defaults, CEL rules, ...
 * It returns every difference with its path; empty means equal.
 */
export function crdDifferences(input: unknown, output: unknown): string[] {
  const out: string[] = [];
  diff(normalizeCrd(input), normalizeCrd(output), '', out);
  return out;
}

const INT_OR_STRING = JSON.stringify([{ type: 'integer' }, { type: 'string' }]);

function normalizeCrd(crd: unknown): unknown {
  if (!isJsonObject(crd)) return crd;
  const spec = isJsonObject(crd.spec) ? { ...crd.spec } : {};
  delete spec.conversion;
  if (spec.preserveUnknownFields === false) delete spec.preserveUnknownFields;
  const names = isJsonObject(spec.names) ? { ...spec.names } : {};
  const kind = String(names.kind);
  if (names.singular === kind.toLowerCase()) delete names.singular;
  if (names.listKind === `${kind}List`) delete names.listKind;
  spec.names = names;
  if (Array.isArray(spec.versions)) {
    spec.versions = Object.fromEntries(
      spec.versions.filter(isJsonObject).map((v) => {
        const version: Json = { ...v };
        if (version.deprecated === false) delete version.deprecated;
        if (isJsonObject(version.schema) && version.schema.openAPIV3Schema !== undefined) {
          version.schema = { ...version.schema, openAPIV3Schema: normalizeSchema(version.schema.openAPIV3Schema) };
        }
        return [`[${String(v.name)}]`, version];
      }),
    );
  }
  return {
    apiVersion: crd.apiVersion,
    kind: crd.kind,
    metadata: { name: isJsonObject(crd.metadata) ? crd.metadata.name : undefined },
    spec,
  };
}

function normalizeSchema(node: unknown): unknown {
  if (!isJsonObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case 'properties':
        if (isJsonObject(value) && Object.keys(value).length === 0) continue;
        out[key] = isJsonObject(value)
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeSchema(v)]))
          : value;
        break;
      case 'required':
        if (Array.isArray(value) && value.length === 0) continue;
        out[key] = Array.isArray(value) ? { set: [...value].map(String).sort() } : value;
        break;
      case 'enum':
        out[key] = Array.isArray(value) ? { set: value.map((v) => JSON.stringify(v)).sort() } : value;
        break;
      case 'anyOf':
        if (node['x-kubernetes-int-or-string'] === true && JSON.stringify(value) === INT_OR_STRING) continue;
        out[key] = Array.isArray(value) ? value.map(normalizeSchema) : value;
        break;
      case 'items':
      case 'additionalProperties':
      case 'not':
        out[key] = normalizeSchema(value);
        break;
      case 'allOf':
      case 'oneOf':
        out[key] = Array.isArray(value) ? value.map(normalizeSchema) : value;
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}

const show = (u: unknown) => {
  const s = JSON.stringify(u);
  return s === undefined ? '(absent)' : s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isJsonObject(a) && isJsonObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diff(a[key], b[key], path ? `${path}.${key}` : key, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => diff(x, b[i], `${path}[${i}]`, out));
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: input ${show(a)}, output ${show(b)}`);
}
