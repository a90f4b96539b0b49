/**
 * One version's schema (the CRD's wire form) -> the TypeScript source of a codec in crdconv's
 * model that `crdconv crds` turns back into the same schema. What the model cannot say is an
 * ImportProblem with the schema path and the reason, and the closest codec (or `t.unknown`) with
 * a comment at that spot: never dropped quietly.
 */

import { patternProblem } from '../model/pattern.js';
import { isJsonObject } from '../json/objects.js';

export type Json = Record<string, unknown>;

export interface ImportProblem {
  /** Where in the CRD: `spec.versions[v1].schema.openAPIV3Schema.properties.spec...`. */
  readonly path: string;
  readonly reason: string;
}

/** JSON as a TypeScript literal (object keys quoted where needed). */
export function literal(u: unknown): string {
  if (Array.isArray(u)) return `[${u.map(literal).join(', ')}]`;
  if (isJsonObject(u)) {
    const entries = Object.entries(u).map(([k, v]) => `${propertyKey(k)}: ${literal(v)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  if (typeof u === 'bigint') return `${u}n`;
  return JSON.stringify(u) ?? 'undefined';
}

/** A property name in an object literal; `__proto__` is computed so that it stays a key. */
export const propertyKey = (k: string): string =>
  k === '__proto__' ? `[${JSON.stringify(k)}]` : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k);

/** Keywords the importer turns into `constrained(...)`. */
const CONSTRAINTS = ['minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems'] as const;

/** Wire keyword -> annotation name, in the order annotations are written. */
const ANNOTATIONS: ReadonlyArray<readonly [string, string]> = [
  ['description', 'description'],
  ['title', 'title'],
  ['format', 'format'],
  ['default', 'default'],
  ['example', 'example'],
  ['externalDocs', 'externalDocs'],
  ['exclusiveMinimum', 'exclusiveMinimum'],
  ['exclusiveMaximum', 'exclusiveMaximum'],
  ['multipleOf', 'multipleOf'],
  ['minProperties', 'minProperties'],
  ['maxProperties', 'maxProperties'],
  ['x-kubernetes-list-type', 'listType'],
  ['x-kubernetes-list-map-keys', 'listMapKeys'],
  ['x-kubernetes-map-type', 'mapType'],
  ['x-kubernetes-validations', 'validations'],
  ['x-kubernetes-embedded-resource', 'embeddedResource'],
  ['x-kubernetes-preserve-unknown-fields', 'preserveUnknownFields'],
  ['anyOf', 'anyOf'],
  ['allOf', 'allOf'],
  ['oneOf', 'oneOf'],
  ['not', 'not'],
];

/** Keywords the structure itself accounts for. */
const STRUCTURE = new Set([
  'type',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'enum',
  'nullable',
  'x-kubernetes-int-or-string',
]);
const KNOWN = new Set([...STRUCTURE, ...CONSTRAINTS, ...ANNOTATIONS.map(([w]) => w)]);

const INT_OR_STRING_ANY_OF = JSON.stringify([{ type: 'integer' }, { type: 'string' }]);

/** Emits codec expressions; large object codecs become named constants, identical ones shared. */
export class CodecWriter {
  readonly problems: ImportProblem[] = [];
  /** Identifiers used from the crdconv model, for the import line. */
  readonly used = new Set<string>(['t']);
  /** `const Name = expr;` in dependency order. */
  readonly constants: string[] = [];
  private readonly byExpression = new Map<string, string>();
  private readonly names = new Set<string>();

  constructor(private readonly reserved: ReadonlySet<string> = new Set()) {}

  private use(name: string): string {
    this.used.add(name);
    return name;
  }

  private problem(path: string, reason: string): void {
    this.problems.push({ path, reason });
  }

  /** A constant for an object codec, named after where it first appears. */
  private hoist(expr: string, hint: string[]): string {
    const known = this.byExpression.get(expr);
    if (known) return known;
    const words = hint
      .filter((h) => h !== '[]' && h !== '{}')
      .slice(-3)
      .map((w) => w.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase()))
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
    let base = words.join('') || 'Body';
    if (/^[0-9]/.test(base)) base = `T${base}`;
    let name = base;
    for (let i = 2; this.names.has(name) || this.reserved.has(name); i++) name = `${base}${i}`;
    this.names.add(name);
    this.byExpression.set(expr, name);
    this.constants.push(`const ${name} = ${expr};`);
    return name;
  }

  /** The codec of a schema node; `hint` is the field path, for constant names. */
  codec(node: unknown, path: string, hint: string[], required = false): string {
    if (!isJsonObject(node)) {
      this.problem(path, 'is not a schema object');
      return `${this.use('t')}.unknown`;
    }
    for (const key of Object.keys(node)) {
      if (!KNOWN.has(key)) this.problem(`${path}.${key}`, `keyword ${key} has no counterpart in the crdconv model`);
    }
    const intOrString = node['x-kubernetes-int-or-string'] === true;
    let base = this.base(node, path, hint, intOrString, required);
    // enum of integers: the model writes int64 unless the format says otherwise (below).
    if (typeof node.pattern === 'string') {
      const problem = patternProblem(node.pattern);
      if (problem) this.problem(`${path}.pattern`, problem);
    }
    const constraints = CONSTRAINTS.filter((k) => node[k] !== undefined).map((k) => `${k}: ${literal(node[k])}`);
    if (constraints.length) base = `${this.use('constrained')}(${base}, { ${constraints.join(', ')} })`;
    if (node.nullable === true) base = `${this.use('nullable')}(${base})`;
    const annotations: string[] = [];
    for (const [wire, name] of ANNOTATIONS) {
      let value = node[wire];
      if (value === undefined) continue;
      if (wire === 'format' && this.absorbedFormat(node)) continue;
      if (wire === 'x-kubernetes-preserve-unknown-fields' && this.absorbsPreserve(node)) continue;
      if (wire === 'anyOf' && intOrString && JSON.stringify(value) === INT_OR_STRING_ANY_OF) continue;
      if (wire === 'x-kubernetes-validations' && Array.isArray(value)) {
        value = value.map((r) => (isJsonObject(r) ? r : {}));
      }
      annotations.push(`${name}: ${literal(value)}`);
    }
    // The model writes int64 for an enum of integers: say when the CRD has no format.
    if (Array.isArray(node.enum) && node.type === 'integer' && node.format === undefined)
      annotations.push('format: null');
    if (annotations.length) base = `${this.use('annotate')}(${base}, { ${annotations.join(', ')} })`;
    return base;
  }

  /** Formats a leaf says itself (Int32, Int64, DateTime). */
  private absorbedFormat(node: Json): boolean {
    if (Array.isArray(node.enum)) return node.type === 'integer' && node.format === 'int64';
    return (
      (node.type === 'integer' && (node.format === 'int32' || node.format === 'int64')) ||
      (node.type === 'string' && node.format === 'date-time')
    );
  }

  /** preserve-unknown-fields that the codec's kind states (FreeForm, t.unknown). */
  private absorbsPreserve(node: Json): boolean {
    if (node['x-kubernetes-preserve-unknown-fields'] !== true) return false;
    if (node.type === undefined) return true;
    return node.type === 'object' && node.properties === undefined && node.additionalProperties === undefined;
  }

  private base(node: Json, path: string, hint: string[], intOrString: boolean, required: boolean): string {
    if (intOrString) {
      if (node.type !== undefined) this.problem(`${path}.type`, 'an int-or-string node has no type');
      return this.use('IntOrString');
    }
    if (Array.isArray(node.enum)) return this.enumeration(node, path);
    switch (node.type) {
      case 'string':
        return node.format === 'date-time' ? this.use('DateTime') : `${this.use('t')}.string`;
      case 'integer':
        return node.format === 'int32'
          ? this.use('Int32')
          : node.format === 'int64'
            ? this.use('Int64')
            : this.use('Integer');
      case 'number':
        return `${this.use('t')}.number`;
      case 'boolean':
        return `${this.use('t')}.boolean`;
      case 'array':
        if (!isJsonObject(node.items)) {
          this.problem(`${path}.items`, 'an array without items has no structural schema');
          return `${this.use('t')}.array(${this.use('t')}.unknown)`;
        }
        return `${this.use('t')}.array(${this.codec(node.items, `${path}.items`, [...hint, '[]'])})`;
      case 'object':
        return this.object(node, path, hint);
      case undefined:
        // t.unknown admits undefined, which makes a field optional: a required one is JsonValue.
        if (node['x-kubernetes-preserve-unknown-fields'] === true) {
          return required ? this.use('JsonValue') : `${this.use('t')}.unknown`;
        }
        this.problem(`${path}.type`, 'a node without a type (and not int-or-string or preserve-unknown-fields)');
        return `${this.use('t')}.unknown`;
      default:
        this.problem(`${path}.type`, `unknown type ${JSON.stringify(node.type)}`);
        return `${this.use('t')}.unknown`;
    }
  }

  private enumeration(node: Json, path: string): string {
    const values = (node.enum as unknown[]).filter((v) => v !== null);
    if (values.length !== (node.enum as unknown[]).length && node.nullable !== true) {
      this.problem(`${path}.enum`, 'null in an enum of a node that is not nullable');
    }
    if (node.nullable === true && !(node.enum as unknown[]).includes(null)) {
      this.problem(
        `${path}.enum`,
        'a nullable enum without null: crdconv lists null (the apiserver checks null against the enum)',
      );
    }
    if (values.length === 0) {
      this.problem(`${path}.enum`, 'an enum with no value');
      return `${this.use('t')}.never`;
    }
    const strings = values.every((v) => typeof v === 'string');
    if (strings && node.type === 'string' && !values.includes('__proto__') && new Set(values).size === values.length) {
      return `${this.use('t')}.keyof({ ${values.map((v) => `${propertyKey(v as string)}: null`).join(', ')} })`;
    }
    const scalar = values.every((v) => ['string', 'number', 'boolean'].includes(typeof v));
    if (!scalar) {
      this.problem(`${path}.enum`, 'enum values that are not scalars');
      return `${this.use('t')}.unknown`;
    }
    const typeOf = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? 'integer' : typeof v);
    const mixed = values.some((v) => typeOf(v) !== node.type && !(node.type === 'number' && typeof v === 'number'));
    if (mixed) this.problem(`${path}.enum`, `enum values of another type than ${String(node.type)}`);
    if (node.type === 'number' && values.every((v) => Number.isInteger(v))) {
      this.problem(`${path}.type`, 'a number enum of integers: crdconv writes type integer');
    }
    const literals = values.map((v) => `${this.use('t')}.literal(${literal(v)})`);
    return literals.length === 1 ? literals[0]! : `${this.use('t')}.union([${literals.join(', ')}])`;
  }

  private object(node: Json, path: string, hint: string[]): string {
    const properties = node.properties;
    const additional = node.additionalProperties;
    if (properties !== undefined && additional !== undefined) {
      this.problem(path, 'properties and additionalProperties together are not structural');
    }
    if (additional !== undefined) {
      if (!isJsonObject(additional)) {
        this.problem(
          `${path}.additionalProperties`,
          `additionalProperties: ${JSON.stringify(additional)} is not structural`,
        );
        return this.use('FreeForm');
      }
      return `${this.use('t')}.record(${this.use('t')}.string, ${this.codec(additional, `${path}.additionalProperties`, [...hint, '{}'])})`;
    }
    if (properties === undefined) {
      if (node['x-kubernetes-preserve-unknown-fields'] === true) return this.use('FreeForm');
      if (node.required !== undefined)
        this.problem(`${path}.required`, 'required fields of an object without properties');
      return `${this.use('t')}.partial({})`;
    }
    if (!isJsonObject(properties)) {
      this.problem(`${path}.properties`, 'must be a map of schemas');
      return this.use('FreeForm');
    }
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    for (const r of required) {
      if (!(r in properties)) this.problem(`${path}.required`, `names ${r}, which is not among the properties`);
    }
    const mandatory: string[] = [];
    const optional: string[] = [];
    for (const [key, child] of Object.entries(properties)) {
      const codec = this.codec(child, `${path}.properties.${key}`, [...hint, key], required.has(key));
      const field = `${propertyKey(key)}: ${codec}`;
      (required.has(key) ? mandatory : optional).push(field);
    }
    const t = this.use('t');
    const both = mandatory.length > 0 && optional.length > 0;
    const pad = both ? '    ' : '  ';
    const block = (fields: string[]) =>
      fields.length ? `{\n${fields.map((f) => `${pad}${f},\n`).join('')}${pad.slice(2)}}` : '{}';
    const typed = mandatory.length ? `${t}.type(${block(mandatory)})` : undefined;
    const partial = optional.length || !typed ? `${t}.partial(${block(optional)})` : undefined;
    const expr = both ? `${t}.intersection([\n  ${typed},\n  ${partial},\n])` : (typed ?? partial!);
    return hint.length ? this.hoist(expr, hint) : expr;
  }
}
