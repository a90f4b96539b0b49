import { JsonTooDeepError, isStackOverflow } from './errors.js';
import { jsonValueOf, quote } from './jsonValue.js';

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
  const ancestors = new Set<object>();
  const number = (n: number): string => {
    if (!Number.isFinite(n)) return 'null';
    if (options.integerDigits && Number.isInteger(n) && !Number.isSafeInteger(n)) return BigInt(n).toString();
    return String(n);
  };
  const write = (raw: unknown, key: string): string | undefined => {
    const v = jsonValueOf(raw, key);
    switch (typeof v) {
      case 'string':
        return quote(v);
      case 'number':
        return number(v);
      case 'bigint':
        return v.toString();
      case 'boolean':
        return v ? 'true' : 'false';
      case 'object': {
        if (v === null) return 'null';
        if (ancestors.has(v)) throw new TypeError('Converting circular structure to JSON');
        ancestors.add(v);
        const text = Array.isArray(v) ? writeArray(v) : writeObject(v as Record<string, unknown>);
        ancestors.delete(v);
        return text;
      }
      default:
        return undefined;
    }
  };
  const writeArray = (a: readonly unknown[]): string => {
    let out = '[';
    for (let i = 0; i < a.length; i++) out += (i === 0 ? '' : ',') + (write(a[i], String(i)) ?? 'null');
    return out + ']';
  };
  const writeObject = (o: Record<string, unknown>): string => {
    const keys = Object.keys(o);
    if (options.sortKeys) keys.sort();
    let out = '{';
    for (const key of keys) {
      const text = write(o[key], key);
      if (text !== undefined) out += (out.length === 1 ? '' : ',') + quote(key) + ':' + text;
    }
    return out + '}';
  };
  try {
    return write(value, '');
  } catch (e) {
    throw isStackOverflow(e) ? new JsonTooDeepError('JSON serialization') : e;
  }
}
