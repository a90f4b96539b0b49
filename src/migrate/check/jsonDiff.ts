import { differences } from '../../json/diff.js';
import { ABSENT, formatJsonPath } from '../../json/path.js';

/** A place where two JSON documents differ, for a message; `undefined` means absent on that side. */
export interface JsonDifference {
  readonly path: string;
  readonly left: unknown;
  readonly right: unknown;
}

/**
 * Where `left` and `right` differ, with written paths: the JSON diff the conversion uses
 * (objects key by key in any order, arrays element by element: `required`, `enum` and
 * `conversionReviewVersions` are ordered lists to the apiserver).
 */
export const jsonDiff = (left: unknown, right: unknown): JsonDifference[] =>
  differences(left, right).map((d) => ({
    path: formatJsonPath(d.path),
    left: d.left === ABSENT ? undefined : d.left,
    right: d.right === ABSENT ? undefined : d.right,
  }));

/** A value for a message: JSON, cut short. */
export const brief = (v: unknown, max = 60): string => {
  if (v === undefined) return 'absent';
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};
