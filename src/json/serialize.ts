import { JsonTooDeepError, isStackOverflow } from './errors.js';
import { hasToJSON, jsonValueOf, quote } from './jsonValue.js';

/**
 * A JSON serializer written out in full: JSON.stringify's semantics (toJSON, wrappers, omitted
 * undefined properties, null for holes and non-finite numbers, TypeError on cycles), plus bigints
 * as integer literals and, optionally, sorted keys. Several times slower than the native one:
 * it serves canonicalJson and the rare texts the placeholder route cannot take.
 */
export interface SerializeOptions {
  /** Object keys in code unit order, at every depth (integer-like keys included). */
  readonly sortKeys: boolean;
  /**
   * Integers beyond 2^53 held as numbers are written with all their digits (2**63 as
   * 9223372036854775808, not 9223372036854776000), so that they read the same as the bigint
   * of the same value.
   */
  readonly integerDigits: boolean;
}

/** The JSON text of `value`, or undefined when it has no JSON form (as JSON.stringify). */
export function serialize(value: unknown, options: SerializeOptions): string | undefined {
  // The text is gathered as parts and joined once: concatenating as it goes builds millions of
  // intermediate strings for the garbage collector.
  const parts: string[] = [];
  const ancestors = new Set<object>();
  let depth = 0;
  const number = (n: number): string => {
    if (!Number.isFinite(n)) return 'null';
    if (options.integerDigits && Number.isInteger(n) && !Number.isSafeInteger(n)) return BigInt(n).toString();
    return String(n);
  };
  /** Appends the JSON of `raw` (the value under `key`); false when it has none. */
  const write = (raw: unknown, key: string | number): boolean => {
    const v = typeof raw === 'object' && raw !== null && needsJsonValueOf(raw) ? jsonValueOf(raw, String(key)) : raw;
    switch (typeof v) {
      case 'string':
        parts.push(quote(v));
        return true;
      case 'number':
        parts.push(number(v));
        return true;
      case 'bigint':
        parts.push(v.toString());
        return true;
      case 'boolean':
        parts.push(v ? 'true' : 'false');
        return true;
      case 'object': {
        if (v === null) {
          parts.push('null');
          return true;
        }
        // A cycle makes the path grow without end: looking for one on deep paths is enough.
        const deep = ++depth > CYCLE_CHECK_DEPTH;
        if (deep) {
          if (ancestors.has(v)) throw new TypeError('Converting circular structure to JSON');
          ancestors.add(v);
        }
        if (Array.isArray(v)) writeArray(v);
        else writeObject(v as Record<string, unknown>);
        if (deep) ancestors.delete(v);
        depth--;
        return true;
      }
      default:
        return false;
    }
  };
  const writeArray = (a: readonly unknown[]): void => {
    parts.push('[');
    for (let i = 0; i < a.length; i++) {
      if (i > 0) parts.push(',');
      if (!write(a[i], i)) parts.push('null');
    }
    parts.push(']');
  };
  const writeObject = (o: Record<string, unknown>): void => {
    const keys = Object.keys(o);
    if (options.sortKeys) keys.sort();
    parts.push('{');
    let first = true;
    for (const key of keys) {
      const mark = parts.length;
      parts.push(first ? '' : ',', quote(key), ':');
      if (write(o[key], key)) first = false;
      else parts.length = mark; // no JSON form: the property is left out
    }
    parts.push('}');
  };
  try {
    return write(value, '') ? parts.join('') : undefined;
  } catch (e) {
    throw isStackOverflow(e) ? new JsonTooDeepError('JSON serialization') : e;
  }
}

const CYCLE_CHECK_DEPTH = 200;

/** Plain objects and arrays skip jsonValueOf unless they carry a toJSON of their own. */
function needsJsonValueOf(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === Array.prototype || proto === null) return hasToJSON(v);
  return true;
}
