import { isJsonObject } from './objects.js';
/**
 * Reading and writing JSON values by path, with user-controlled keys. A key such as `__proto__`
 * must only ever be an own data property: reads check ownership first, writes define the
 * property, and nothing is mutated in place (the result shares unchanged branches).
 */
export type JsonPath = ReadonlyArray<string | number>;

/** Marks a key that is not there, as opposed to one whose value is null. */
export const ABSENT: unique symbol = Symbol('absent');
export type Absent = typeof ABSENT;

export function ownValue(container: unknown, key: string | number): unknown | Absent {
  if (Array.isArray(container)) {
    return typeof key === 'number' && key >= 0 && key < container.length ? container[key] : ABSENT;
  }
  if (isJsonObject(container) && typeof key === 'string' && Object.hasOwn(container, key)) {
    // JSON has no undefined: a key holding it is as good as absent.
    return container[key] === undefined ? ABSENT : container[key];
  }
  return ABSENT;
}

export function getAt(root: unknown, path: JsonPath): unknown | Absent {
  let at: unknown = root;
  for (const key of path) {
    at = ownValue(at, key);
    if (at === ABSENT) return ABSENT;
  }
  return at;
}

export function defineOwn<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/** A copy of `root` with the value at `path` replaced (or removed, for ABSENT). The parent must exist. */
export function setAt(root: unknown, path: JsonPath, value: unknown | Absent): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string | number, ...Array<string | number>];
  const child = setAt(ownValue(root, key), rest, value);
  if (Array.isArray(root)) {
    const copy = root.slice();
    if (child === ABSENT) copy.splice(key as number, 1);
    else copy[key as number] = child;
    return copy;
  }
  const copy = { ...(root as Record<string, unknown>) };
  if (child === ABSENT) delete copy[key as string];
  else defineOwn(copy, key as string, child);
  return copy;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** One step of a path as messages write it: `.name`, `[3]`, or `["odd key"]`. */
export const pathSegment = (key: string | number): string =>
  typeof key === 'number' ? `[${key}]` : IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;

/** A path as messages write it (`.spec.users[0].name`), `(root)` for the empty path. */
export const formatJsonPath = (path: JsonPath): string =>
  path.length === 0 ? '(root)' : path.map(pathSegment).join('');
