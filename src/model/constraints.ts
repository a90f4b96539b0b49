import * as t from 'io-ts';
import { lazyPattern } from './pattern.js';
import { inspect } from './inspect.js';

/**
 * What a codec can say about a value beyond its type, in the words OpenAPI has for it. The CRD
 * schema states these, strict validation (`crdconv validate`) enforces them, and the service's
 * lenient decoding does not: an object stored before a bound was tightened must stay readable.
 */
export interface Constraints {
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  /** RE2 syntax, as the apiserver reads it; JavaScript checks use its exact translation (pattern.ts). */
  pattern?: string;
  minItems?: number;
  maxItems?: number;
}

export interface ConstrainedType<C extends t.Mixed> extends t.RefinementType<C, t.TypeOf<C>, t.OutputOf<C>, unknown> {
  readonly constraints: Constraints;
}

/**
 * Code points in `s` (what OpenAPI's minLength and maxLength count), without building an array
 * of them: a surrogate pair is two UTF-16 units and one code point.
 */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Whether a string's length in code points is within [min, max]. A string of n UTF-16 units holds
 * between ceil(n / 2) and n code points, so the count is needed only when a bound falls in that
 * range: on the hot path (every string of every converted object) it almost never is.
 */
function lengthWithin(s: string, min: number | undefined, max: number | undefined): boolean {
  const units = s.length;
  const fewest = Math.ceil(units / 2);
  if ((min === undefined || min <= fewest) && (max === undefined || max >= units)) return true;
  const n = codePointLength(s);
  return (min === undefined || n >= min) && (max === undefined || n <= max);
}

const holds = (c: Constraints, pattern: { test(s: string): boolean } | undefined, u: unknown): boolean => {
  if (typeof u === 'number' || typeof u === 'bigint') {
    if (c.minimum !== undefined && u < c.minimum) return false;
    if (c.maximum !== undefined && u > c.maximum) return false;
  }
  if (typeof u === 'string') {
    if (!lengthWithin(u, c.minLength, c.maxLength)) return false;
    if (pattern !== undefined && !pattern.test(u)) return false;
  }
  if (Array.isArray(u)) {
    if (c.minItems !== undefined && u.length < c.minItems) return false;
    if (c.maxItems !== undefined && u.length > c.maxItems) return false;
  }
  return true;
};

const describe = (c: Constraints): string =>
  Object.entries(c)
    .filter(([k]) => k !== 'description')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
    .join(', ');

/** Attach constraints to a codec: `constrained(Int32, { minimum: 1, maximum: 65535 })`. */
export function constrained<C extends t.Mixed>(codec: C, constraints: Constraints): ConstrainedType<C> {
  const rules = describe(constraints);
  const name = rules ? `${codec.name}(${rules})` : codec.name;
  // Compiled once: the predicate runs on the service's hot path (output validation).
  const pattern = constraints.pattern === undefined ? undefined : lazyPattern(constraints.pattern);
  const refined = t.refinement(codec, (u) => holds(constraints, pattern, u), name) as unknown as ConstrainedType<C>;
  return Object.assign(refined, { constraints });
}

export const isConstrained = (codec: t.Mixed): codec is ConstrainedType<t.Mixed> =>
  inspect(codec).kind === 'refinement' && 'constraints' in codec;
