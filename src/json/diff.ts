import { ABSENT, type Absent, type JsonPath, ownValue } from './path.js';
import { isJsonObject } from './objects.js';

/** Where two JSON values differ: the path, and the value on each side (ABSENT when missing). */
export interface Difference {
  readonly path: JsonPath;
  readonly left: unknown | Absent;
  readonly right: unknown | Absent;
}

const isNumeric = (v: unknown): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';

/** Scalars are equal when identical, or when they are the same integer as number and bigint. */
const sameScalar = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (!isNumeric(a) || !isNumeric(b)) return false;
  if (typeof a === 'number' && !Number.isInteger(a)) return false;
  if (typeof b === 'number' && !Number.isInteger(b)) return false;
  return BigInt(a) === BigInt(b);
};

/**
 * The smallest set of paths at which `left` and `right` differ: objects are compared key by key,
 * arrays of equal length element by element; anything else differing is one difference. The
 * paths are disjoint (none is a prefix of another) and each parent exists on both sides.
 */
export function differences(left: unknown, right: unknown): Difference[] {
  const out: Difference[] = [];
  walk(left, right, [], out);
  return out;
}

/** `path` is one stack shared by the whole walk (copied only when a difference is recorded). */
function walk(left: unknown, right: unknown, path: Array<string | number>, out: Difference[]): void {
  if (left === right) return;
  if (isJsonObject(left) && isJsonObject(right)) {
    for (const key of Object.keys(left)) {
      path.push(key);
      walk(ownValue(left, key), ownValue(right, key), path, out);
      path.pop();
    }
    for (const key of Object.keys(right)) {
      if (Object.hasOwn(left, key)) continue; // compared above
      const r = ownValue(right, key);
      if (r !== ABSENT) out.push({ path: [...path, key], left: ABSENT, right: r });
    }
    return;
  }
  if (Array.isArray(left) && Array.isArray(right) && left.length === right.length) {
    for (let i = 0; i < left.length; i++) {
      path.push(i);
      walk(left[i], right[i], path, out);
      path.pop();
    }
    return;
  }
  if (typeof left !== 'object' && typeof right !== 'object' && sameScalar(left, right)) return;
  out.push({ path: path.slice(), left, right });
}
