/** A place where two JSON documents differ; `undefined` means absent on that side. */
export interface JsonDifference {
  readonly path: string;
  readonly left: unknown;
  readonly right: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;
const keySegment = (key: string) => (SIMPLE_KEY.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/**
 * Every path where `left` and `right` differ, deepest first reached, in key order. Objects compare
 * key by key (order does not matter), arrays element by element (order matters: `required`,
 * `enum` and `conversionReviewVersions` are ordered lists to the apiserver), scalars by value.
 */
export function jsonDiff(left: unknown, right: unknown, path = ''): JsonDifference[] {
  if (isPlainObject(left) && isPlainObject(right)) {
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
    return keys.flatMap((k) => jsonDiff(left[k], right[k], `${path}${keySegment(k)}`));
  }
  if (Array.isArray(left) && Array.isArray(right)) {
    const n = Math.max(left.length, right.length);
    const out: JsonDifference[] = [];
    for (let i = 0; i < n; i++) out.push(...jsonDiff(left[i], right[i], `${path}[${i}]`));
    return out;
  }
  if (left === right) return [];
  if (typeof left === 'number' && typeof right === 'number' && Number.isNaN(left) && Number.isNaN(right)) return [];
  return [{ path: path || '(root)', left, right }];
}

/** A value for a message: JSON, cut short. */
export const brief = (v: unknown, max = 60): string => {
  if (v === undefined) return 'absent';
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};
