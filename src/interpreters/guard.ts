import type * as t from 'io-ts';
import { isJsonObject } from '../json/objects.js';
import { inspect, unhandled } from '../model/inspect.js';

/** Whether a value is admitted by a codec: what `codec.is` answers, as one closure per codec node. */
export type Guard = (u: unknown) => boolean;

/**
 * Interpreter: codec -> guard, the same answer as the codec's own `is`, faster.
 *
 * The service checks every object against its version's codec before a converter sees it and
 * after every hop, so `is` runs several times per object on the hot path. io-ts builds its type
 * guards for generality: an intersection calls `every` with a fresh closure, a record lists its
 * keys into a new array, and every node goes through a method lookup. Here each node of the codec
 * becomes a closure over its children's guards, with plain loops and no allocation.
 *
 * Every combinator keeps io-ts's exact semantics (how `undefined` counts in a partial, which keys
 * a record checks, property reads that may reach the prototype); nodes this interpreter does not
 * know (leaves, custom types, refinements) use the codec's own `is`. A property test holds it to
 * `codec.is` on valid, broken and random values.
 */
export function guard(codec: t.Mixed): Guard {
  const cached = cache.get(codec);
  if (cached) return cached;
  const built = build(codec);
  cache.set(codec, built);
  return built;
}

const cache = new WeakMap<t.Mixed, Guard>();

/** io-ts's UnknownRecord: an object that is not an array. */
const isString: Guard = (u) => typeof u === 'string';
const isBoolean: Guard = (u) => typeof u === 'boolean';
const isNull: Guard = (u) => u === null;
const always: Guard = () => true;
const hasOwn = Object.prototype.hasOwnProperty;

function build(codec: t.Mixed): Guard {
  const node = inspect(codec);
  switch (node.kind) {
    case 'string':
      return isString;
    case 'boolean':
      return isBoolean;
    case 'null':
      return isNull;
    case 'unknown':
      return always;
    case 'literal': {
      const value = node.value;
      return (u) => u === value;
    }
    case 'keyof': {
      const keys = node.keys;
      return (u) => typeof u === 'string' && hasOwn.call(keys, u);
    }
    case 'array':
      return arrayGuard(guard(node.item));
    case 'props':
      return propsGuard(node.props, node.required);
    case 'record':
      // Only string keys here: io-ts checks records over enumerated keys differently.
      if (inspect(node.domain).kind !== 'string') return (u) => codec.is(u);
      return recordGuard(guard(node.codomain));
    case 'union':
      return someGuard(node.members.map(guard));
    case 'intersection':
      return everyGuard(node.members.map(guard));
    case 'wrapper':
      return guard(node.inner);
    case 'number':
    case 'undefined':
    case 'unknownRecord':
    case 'unknownArray':
    case 'tuple':
    case 'refinement':
    case 'recursive':
    case 'leaf':
      // Leaves, refinements, custom types: their own guard.
      return (u) => codec.is(u);
    default:
      return unhandled(node);
  }
}

function arrayGuard(item: Guard): Guard {
  return (u) => {
    if (!Array.isArray(u)) return false;
    for (let i = 0; i < u.length; i++) if (!item(u[i])) return false;
    return true;
  };
}

/**
 * An object's known keys (io-ts reads `u[k]`, so an inherited value counts). In a partial a key may
 * be absent or undefined; in a type it must be present, where an own key holding undefined counts
 * as present and its value is checked.
 */
function propsGuard(props: t.Props, required: boolean): Guard {
  const keys = Object.keys(props);
  const guards = keys.map((k) => guard(props[k] as t.Mixed));
  const n = keys.length;
  return (u) => {
    if (!isJsonObject(u)) return false;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const v = u[k];
      if (v === undefined) {
        if (!required) continue;
        if (!hasOwn.call(u, k)) return false;
      }
      if (!guards[i]!(v)) return false;
    }
    return true;
  };
}

/** Every own enumerable key's value must pass (io-ts: Object.keys). */
function recordGuard(value: Guard): Guard {
  return (u) => {
    if (!isJsonObject(u)) return false;
    for (const k in u) {
      if (!hasOwn.call(u, k)) continue;
      if (!value(u[k])) return false;
    }
    return true;
  };
}

function someGuard(guards: readonly Guard[]): Guard {
  const n = guards.length;
  return (u) => {
    for (let i = 0; i < n; i++) if (guards[i]!(u)) return true;
    return false;
  };
}

function everyGuard(guards: readonly Guard[]): Guard {
  const n = guards.length;
  return (u) => {
    for (let i = 0; i < n; i++) if (!guards[i]!(u)) return false;
    return true;
  };
}
