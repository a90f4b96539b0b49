import type * as t from 'io-ts';
import { isAnnotated } from '../model/annotations.js';
import { inspect, unhandled, type CodecNode } from '../model/inspect.js';
import { objectFields } from '../model/objectFields.js';
import { isJsonObject } from '../json/objects.js';
import { formatJsonPath } from '../json/path.js';

/**
 * Interpreter: codec -> a check of a value against its version as the apiserver would hold it:
 * the codec with every constraint (bounds, lengths, patterns, enums, leaf predicates), its
 * required fields, and its CRD schema's pruning: a key the schema does not know (outside
 * `x-kubernetes-preserve-unknown-fields` and free-keyed maps) is a problem, because the apiserver
 * would silently drop it (from storage too, on the write path).
 *
 * Two levels, both compiled to closures once per codec (the service runs them on every object):
 * - `valid(u)`: strict, everything above;
 * - `pruneFree(u)`: types and pruning only, for objects that may be partial (server-side apply) or
 *   were stored before a bound was tightened: nothing they hold may be dropped, but a missing
 *   required field or an old value out of bounds is not the converter's doing.
 * `problems(u, level)` lists what is wrong, with JSON paths; it only runs to explain a refusal.
 *
 * It agrees with `codec.is` on everything the codec admits (a property test holds it to that) and
 * with the generated CRD schema on what is pruned (test/crd/codecAgreement checks that the
 * schema keeps whole every value the codec admits).
 */
export interface Validator {
  readonly valid: (u: unknown) => boolean;
  readonly pruneFree: (u: unknown) => boolean;
  readonly problems: (u: unknown, level?: Level) => ValidationProblem[];
}

export type Level = 'strict' | 'prune';

export interface ValidationProblem {
  /** JSON path segments from the body's root. */
  readonly path: ReadonlyArray<string | number>;
  /** `missing`: a required field is absent; `pruned`: the schema has no place for the key; `invalid`: wrong type or out of bounds. */
  readonly kind: 'missing' | 'pruned' | 'invalid';
  /** The codec that was expected there (its name states its constraints). */
  readonly expected: string;
}

export function validator(codec: t.Mixed): Validator {
  const cached = cache.get(codec);
  if (cached) return cached;
  const check = compile(codec);
  const built: Validator = {
    valid: (u) => check(u, STRICT),
    pruneFree: (u) => check(u, PRUNE),
    problems: (u, level = 'strict') => {
      const state: State = { strict: level === 'strict', path: [], out: [] };
      check(u, state);
      return state.out!;
    },
  };
  cache.set(codec, built);
  return built;
}

const cache = new WeakMap<t.Mixed, Validator>();

/** Formats problems the way decode failures are formatted: `.spec.x: expected T` (never the value). */
export function formatValidationProblems(problems: readonly ValidationProblem[], limit = 5): string {
  const shown = problems.slice(0, limit).map((p) => {
    const at = formatJsonPath(p.path);
    if (p.kind === 'missing') return `${at}: required ${p.expected} missing`;
    if (p.kind === 'pruned') return `${at}: not in the schema (the apiserver would prune it)`;
    return `${at}: expected ${p.expected}`;
  });
  return shown.join('; ') + (problems.length > limit ? `; and ${problems.length - limit} more` : '');
}

/** The walk's state: strictness, and, when explaining, the current path and the problems found. */
interface State {
  readonly strict: boolean;
  readonly path: Array<string | number>;
  readonly out?: ValidationProblem[];
}
const STRICT: State = { strict: true, path: [] };
const PRUNE: State = { strict: false, path: [] };

/** Returns false on the first problem when not explaining; records every problem when it is. */
type Check = (u: unknown, s: State) => boolean;

const report = (s: State, kind: ValidationProblem['kind'], expected: string, key?: string | number): false => {
  if (s.out) s.out.push({ path: key === undefined ? s.path.slice() : [...s.path, key], kind, expected });
  return false;
};

const hasOwn = Object.prototype.hasOwnProperty;

/** An object node: its fields (a field declared in several parts of an intersection checks all). */
interface ObjectShape {
  readonly fields: Map<string, { checks: Check[]; required: boolean; name: string }>;
}

function compile(codec: t.Mixed): Check {
  const shape = objectShape(codec);
  if (shape) return objectCheck(shape, codec.name);
  const node = inspect(codec);
  const name = codec.name;
  switch (node.kind) {
    case 'string':
      return typeCheck((u) => typeof u === 'string', name);
    case 'boolean':
      return typeCheck((u) => typeof u === 'boolean', name);
    case 'number':
      // As the lenient decoder: JSON integers beyond 2^53 arrive as bigint.
      return typeCheck((u) => (typeof u === 'number' && Number.isFinite(u)) || typeof u === 'bigint', name);
    case 'null':
      return typeCheck((u) => u === null, name);
    case 'literal':
    case 'keyof':
      return typeCheck((u) => codec.is(u), name);
    case 'unknown':
      return () => true;
    case 'unknownRecord':
      return typeCheck(isJsonObject, name);
    case 'unknownArray':
      return typeCheck(Array.isArray, name);
    case 'wrapper':
      return compile(node.inner);
    case 'array':
      return arrayCheck(compile(node.item), name);
    case 'record':
      return inspect(node.domain).kind === 'string'
        ? mapCheck(compile(node.codomain), name)
        : typeCheck((u) => codec.is(u), name);
    case 'union':
      return unionCheck(node.members, name);
    case 'intersection':
      return allCheck(node.members.map(compile));
    case 'refinement':
      return refinementCheck(node);
    case 'props':
      // Taken by objectShape above; an intersection of objects and others checks each part.
      return objectCheck(objectShape(codec)!, name);
    case 'undefined':
    case 'tuple':
    case 'recursive':
    case 'leaf':
      // Leaves (Int32, Quantity, FreeForm ...) and custom types: their own guard, all or nothing.
      // Nothing below a leaf is pruned: FreeForm preserves unknown fields.
      return typeCheck((u) => codec.is(u), name);
    default:
      return unhandled(node);
  }
}

/** The fields of an object codec (see model/objectFields), compiled: every declaration checks. */
function objectShape(codec: t.Mixed): ObjectShape | undefined {
  const declared = objectFields(codec);
  if (!declared) return undefined;
  const fields: ObjectShape['fields'] = new Map();
  for (const [key, declarations] of declared) {
    fields.set(key, {
      checks: declarations.map((d) => compile(d.codec)),
      required: declarations.some((d) => d.required),
      name: declarations[0]!.codec.name,
    });
  }
  return { fields };
}

function typeCheck(is: (u: unknown) => boolean, name: string): Check {
  return (u, s) => is(u) || report(s, 'invalid', name);
}

/** Keys an annotated object keeps beyond its fields: all (preserve-unknown-fields), or an embedded resource's own. */
function keptKeys(c: t.Mixed): ((key: string) => boolean) | undefined {
  if (!isAnnotated(c)) return undefined;
  if (c.annotations.preserveUnknownFields) return () => true;
  if (c.annotations.embeddedResource) return (key) => key === 'apiVersion' || key === 'kind' || key === 'metadata';
  return undefined;
}

function objectCheck(shape: ObjectShape, name: string, keep?: (key: string) => boolean): Check {
  const keys = [...shape.fields.keys()];
  const entries = keys.map((k) => shape.fields.get(k)!);
  const n = keys.length;
  const known = new Set(keys);
  return (u, s) => {
    if (!isJsonObject(u)) return report(s, 'invalid', name);
    let ok = true;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      const field = entries[i]!;
      const v = hasOwn.call(u, key) ? u[key] : undefined;
      if (v === undefined) {
        if (field.required && s.strict) {
          ok = report(s, 'missing', field.name, key);
          if (!s.out) return false;
        }
        continue;
      }
      if (s.out) s.path.push(key);
      for (const check of field.checks) {
        if (!check(v, s)) {
          ok = false;
          if (!s.out) return false;
        }
      }
      if (s.out) s.path.pop();
    }
    for (const key in u) {
      if (!hasOwn.call(u, key) || known.has(key) || u[key] === undefined || keep?.(key)) continue;
      ok = report(s, 'pruned', name, key);
      if (!s.out) return false;
    }
    return ok;
  };
}

function arrayCheck(item: Check, name: string): Check {
  return (u, s) => {
    if (!Array.isArray(u)) return report(s, 'invalid', name);
    let ok = true;
    for (let i = 0; i < u.length; i++) {
      if (s.out) s.path.push(i);
      const good = item(u[i], s);
      if (s.out) s.path.pop();
      if (!good) {
        ok = false;
        if (!s.out) return false;
      }
    }
    return ok;
  };
}

function mapCheck(value: Check, name: string): Check {
  return (u, s) => {
    if (!isJsonObject(u)) return report(s, 'invalid', name);
    let ok = true;
    for (const key in u) {
      if (!hasOwn.call(u, key)) continue;
      if (s.out) s.path.push(key);
      const good = value(u[key], s);
      if (s.out) s.path.pop();
      if (!good) {
        ok = false;
        if (!s.out) return false;
      }
    }
    return ok;
  };
}

function allCheck(checks: readonly Check[]): Check {
  return (u, s) => {
    let ok = true;
    for (const check of checks) {
      if (!check(u, s)) {
        ok = false;
        if (!s.out) return false;
      }
    }
    return ok;
  };
}

/**
 * A union holds when one member holds. Explaining a refusal: when exactly one member has the
 * object or array shape (the usual `X | null`), its own problems are reported, with their paths;
 * otherwise the union as a whole.
 */
function unionCheck(members: readonly t.Mixed[], name: string): Check {
  const checks = members.map(compile);
  const quiet = (s: State): State => (s.strict ? STRICT : PRUNE);
  return (u, s) => {
    const q = quiet(s);
    for (const check of checks) if (check(u, q)) return true;
    if (!s.out) return false;
    const shaped = typeof u === 'object' && u !== null ? members.filter((m) => sameShape(m, u)) : [];
    if (shaped.length === 1) return checks[members.indexOf(shaped[0]!)]!(u, s);
    return report(s, 'invalid', name);
  };
}

const sameShape = (codec: t.Mixed, u: unknown): boolean => {
  const kind = inspect(codec).kind;
  if (u === null) return kind === 'null';
  if (kind === 'null') return false;
  if (Array.isArray(u)) return kind === 'array';
  if (isJsonObject(u)) return objectShape(codec) !== undefined;
  return objectShape(codec) === undefined && kind !== 'array';
};

/** constrained(...), brands, t.Int: the base, and in strict mode the predicate on top. */
function refinementCheck(node: Extract<CodecNode, { kind: 'refinement' }>): Check {
  // annotate(obj, { preserveUnknownFields | embeddedResource }): the CRD keeps (some) unknown keys there.
  const keep = keptKeys(node.codec);
  const shape = keep && objectShape(node.base);
  const base = shape ? objectCheck(shape, node.base.name, keep) : compile(node.base);
  const predicate = node.predicate;
  const name = node.name;
  return (u, s) => {
    if (!base(u, s)) return false;
    return !s.strict || predicate(u) || report(s, 'invalid', name);
  };
}
