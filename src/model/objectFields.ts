import type * as t from 'io-ts';
import { inspect, unhandled } from './inspect.js';

/** One declaration of a field: its codec, and whether a whole object must have it. */
export interface FieldDeclaration {
  readonly codec: t.Mixed;
  /** Declared in a `t.type` with a codec that does not admit undefined. */
  readonly required: boolean;
}

/**
 * The fields of an object codec (t.type, t.partial, through exact/readonly and intersections of
 * them), each with its declarations in order: a field declared in several parts of an
 * intersection has several. Undefined for a codec that is not object-shaped all through (an
 * intersection with a non-object part included).
 */
export function objectFields(codec: t.Mixed): Map<string, FieldDeclaration[]> | undefined {
  const node = inspect(codec);
  switch (node.kind) {
    case 'props': {
      const fields = new Map<string, FieldDeclaration[]>();
      for (const [key, prop] of Object.entries(node.props)) {
        const p = prop as t.Mixed;
        fields.set(key, [{ codec: p, required: node.required && !p.is(undefined) }]);
      }
      return fields;
    }
    case 'wrapper':
      return objectFields(node.inner);
    case 'intersection': {
      const parts = node.members.map(objectFields);
      if (parts.some((p) => p === undefined)) return undefined;
      const fields = new Map<string, FieldDeclaration[]>();
      for (const part of parts as Array<Map<string, FieldDeclaration[]>>)
        for (const [key, declared] of part) fields.set(key, [...(fields.get(key) ?? []), ...declared]);
      return fields;
    }
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
    case 'undefined':
    case 'unknown':
    case 'unknownRecord':
    case 'unknownArray':
    case 'literal':
    case 'keyof':
    case 'array':
    case 'record':
    case 'union':
    case 'tuple':
    case 'refinement':
    case 'recursive':
    case 'leaf':
      return undefined;
    default:
      return unhandled(node);
  }
}
