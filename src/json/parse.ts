import { JsonSyntaxError } from './errors.js';
import { findUnsafeIntegerLiterals, lastLongDigitRunEnd } from './longIntegers.js';
import { markerAbsentFrom, type Marker } from './placeholder.js';
import { lineAndColumn } from './position.js';
import { jsonSyntaxError } from './syntaxError.js';

/**
 * Integer literals longer than this are refused. Converting n digits to a bigint and back costs
 * O(n^2) time (a one-megabyte literal takes most of a second), and no Kubernetes field holds more
 * than an int64's 19 digits. (Python caps int/str conversions at 4300 digits for the same reason.)
 */
export const MAX_INTEGER_DIGITS = 4300;

/**
 * JSON.parse, except that integer literals outside the safe integer range come out as `bigint`,
 * exactly. Every other value is what JSON.parse gives (a 16-digit safe integer stays a number,
 * fractions and exponents stay doubles, duplicate keys: the last wins, `__proto__` is an own key).
 *
 * Fast path: a text without a run of 16 digits anywhere goes straight to JSON.parse.
 * Slow path: the unsafe literals (in value position, outside strings) are rewritten into
 * placeholder strings, the native parser parses that, and the placeholders found in the result
 * are replaced by bigints.
 *
 * @throws JsonSyntaxError for malformed text (with line and column) or an integer literal of more
 *   than MAX_INTEGER_DIGITS digits. Deep nesting is no problem: the native parser and everything
 *   here are iterative.
 */
export function parseJson(text: string): unknown {
  const limit = lastLongDigitRunEnd(text);
  if (limit === -1) return nativeParse(text);
  const literals = findUnsafeIntegerLiterals(text, limit);
  if (literals.length === 0) return nativeParse(text);
  refuseOverlongLiterals(text, literals);
  const marker = markerAbsentFrom(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(withPlaceholders(text, literals, marker));
  } catch (e) {
    // The rewrite keeps validity, so the original text is malformed: report on it, not the rewrite.
    throw jsonSyntaxError(text, e);
  }
  return restoreBigInts(parsed, marker, literals.length / 2);
}

function nativeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(text, e);
  }
}

function refuseOverlongLiterals(text: string, literals: readonly number[]): void {
  for (let k = 0; k < literals.length; k += 2) {
    const start = literals[k] ?? 0;
    const digits = (literals[k + 1] ?? 0) - start - (text.charCodeAt(start) === 0x2d ? 1 : 0);
    if (digits > MAX_INTEGER_DIGITS) {
      const { line, column } = lineAndColumn(text, start);
      throw new JsonSyntaxError(
        `an integer literal of ${digits} digits (at most ${MAX_INTEGER_DIGITS} are accepted)`,
        start,
        line,
        column,
      );
    }
  }
}

/** The text with each literal [start, end) replaced by the string token "<marker><literal>". */
function withPlaceholders(text: string, literals: readonly number[], marker: Marker): string {
  let out = '';
  let last = 0;
  for (let k = 0; k < literals.length; k += 2) {
    const start = literals[k] ?? 0;
    const end = literals[k + 1] ?? 0;
    out += text.slice(last, start) + '"' + marker.escaped + text.slice(start, end) + '"';
    last = end;
  }
  return out + text.slice(last);
}

/**
 * Replaces the placeholders in a freshly parsed value by bigints, in place, and returns the value.
 * Walks with an explicit stack (hostile nesting cannot overflow it) and stops as soon as all
 * `expected` placeholders are found; a duplicate key can drop one, and then the walk is complete.
 * Objects get the bigint through defineProperty on their existing own property: no assignment
 * that a `__proto__` key could turn into a prototype change.
 */
function restoreBigInts(root: unknown, marker: Marker, expected: number): unknown {
  const mark = marker.value.charCodeAt(0);
  const isPlaceholder = (v: string): boolean => v.charCodeAt(0) === mark && v.startsWith(marker.value);
  const toBigInt = (v: string): bigint => BigInt(v.slice(marker.value.length));
  if (typeof root === 'string') return isPlaceholder(root) ? toBigInt(root) : root;
  const stack: unknown[] = [root];
  let found = 0;
  const inheritsNothingEnumerable = !hasEnumerableProperty(Object.prototype);
  while (found < expected && stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i];
        if (typeof v === 'object') {
          if (v !== null) stack.push(v);
        } else if (typeof v === 'string' && isPlaceholder(v)) {
          node[i] = toBigInt(v);
          found++;
        }
      }
    } else {
      const record = node as Record<string, unknown>;
      // for-in is over twice as fast as Object.keys here, but it also lists enumerable properties
      // inherited from Object.prototype (JSON.parse's objects inherit from it): if anybody has
      // added any there, each key is checked to be the object's own.
      for (const key in record) {
        const v = record[key];
        if (typeof v === 'object') {
          if (v !== null && (inheritsNothingEnumerable || Object.hasOwn(record, key))) stack.push(v);
        } else if (
          typeof v === 'string' &&
          isPlaceholder(v) &&
          (inheritsNothingEnumerable || Object.hasOwn(record, key))
        ) {
          Object.defineProperty(record, key, { value: toBigInt(v) });
          found++;
        }
      }
    }
  }
  return root;
}

function hasEnumerableProperty(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
