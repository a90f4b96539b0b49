import type * as t from 'io-ts';
import type { JsonPath } from '../json/path.js';
import { canonicalJson } from '../json/index.js';
import type { Converter } from '../kinds/defineKind.js';
import { openApiSchema } from '../interpreters/openapi.js';
import { inspect, unhandled } from '../model/inspect.js';
import { objectFields, type FieldDeclaration } from '../model/objectFields.js';
import { isLeaf } from '../model/leaf.js';

/**
 * What the round-trip suite reads from codecs to state correctness, not only losslessness: which
 * places several versions hold alike, and whether a version has a place for a path at all.
 */

/** A codec's schema as text, to compare codecs declared apart (undefined when it has none). */
const schemaText = (codec: t.Mixed): string | undefined => {
  try {
    return canonicalJson(openApiSchema(codec));
  } catch {
    return undefined;
  }
};

/**
 * The places where every one of `codecs` (the versions along a route) has a field of the same
 * schema: there a conversion has nothing to convert, so the value must come through unchanged.
 * The shallowest such places: `spec.users`, not each user's name.
 */
export function sharedPaths(codecs: readonly t.Mixed[]): JsonPath[] {
  const out: JsonPath[] = [];
  walkShared(codecs, [], out);
  return out;
}

function walkShared(codecs: readonly t.Mixed[], path: Array<string | number>, out: JsonPath[]): void {
  const fields = codecs.map(objectFields);
  if (fields.some((f) => f === undefined)) return;
  const [first, ...others] = fields as Array<Map<string, FieldDeclaration[]>>;
  for (const [key, own] of first!) {
    const all = [own, ...others.map((f) => f.get(key))];
    // A field declared in several parts of an intersection is left alone (rare, and ambiguous).
    if (all.some((m) => m === undefined || m.length !== 1)) continue;
    const members = all.map((m) => m![0]!.codec);
    const texts = members.map(schemaText);
    if (texts[0] !== undefined && texts.every((x) => x === texts[0])) out.push([...path, key]);
    else walkShared(members, [...path, key], out);
  }
}

/**
 * Whether a version has a place for the value at `path`: a field, an array element, a map entry,
 * or anything inside a free-form object. A value at a path it has no place for is data only
 * the other version holds, which the stash is there to keep.
 */
export function hasPlace(codec: t.Mixed, path: JsonPath): boolean {
  if (path.length === 0) return true;
  const node = inspect(codec);
  const [key, ...rest] = path as [string | number, ...Array<string | number>];
  switch (node.kind) {
    case 'unknown':
    case 'unknownRecord':
      return true;
    case 'leaf':
      // FreeForm keeps whatever it is given; a scalar leaf has nothing inside.
      return isLeaf(codec) && codec.name === 'FreeForm';
    case 'wrapper':
      return hasPlace(node.inner, path);
    case 'refinement':
      return hasPlace(node.base, path);
    case 'union':
    case 'intersection':
      return node.members.some((m) => hasPlace(m, path));
    case 'array':
      return typeof key === 'number' && hasPlace(node.item, rest);
    case 'record':
      return typeof key === 'string' && node.domain.is(key) && hasPlace(node.codomain, rest);
    case 'props': {
      const field =
        typeof key === 'string' && Object.hasOwn(node.props, key) ? (node.props[key] as t.Mixed) : undefined;
      return field !== undefined && hasPlace(field, rest);
    }
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
    case 'undefined':
    case 'unknownArray':
    case 'literal':
    case 'keyof':
    case 'tuple':
    case 'recursive':
      return false;
    default:
      return unhandled(node);
  }
}

/**
 * The declarations of `converters` (a route) that cover a path: each with the concrete path it
 * matched (a prefix of `path`), so that an equivalence can be asked about the values there.
 */
export function lossyFor(
  converters: readonly Converter[],
  path: JsonPath,
): Array<{ at: JsonPath; allows: true | ((original: unknown, back: unknown) => boolean) }> {
  const found: Array<{ at: JsonPath; allows: true | ((original: unknown, back: unknown) => boolean) }> = [];
  for (const converter of converters) {
    for (const [pattern, allows] of Object.entries(converter.lossy ?? {})) {
      const parts = pattern.split('.');
      if (parts.length > path.length) continue;
      if (parts.every((p, i) => p === '*' || p === String(path[i])))
        found.push({ at: path.slice(0, parts.length), allows });
    }
  }
  return found;
}
