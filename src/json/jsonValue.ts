/**
 * What JSON.stringify writes for a property value, before writing it (the ECMAScript steps of
 * SerializeJSONProperty, without a replacer): an object's toJSON(key) result, primitive
 * wrappers unwrapped. `undefined` means "no JSON form" (undefined, functions, symbols), which
 * omits an object property and writes null in an array.
 *
 * One difference, on purpose: a bigint never goes through toJSON (some libraries install
 * BigInt.prototype.toJSON to write quoted strings); here a bigint is an integer, always.
 */
export function jsonValueOf(value: unknown, key: string): unknown {
  let v = value;
  if (typeof v === 'object' && v !== null) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') v = toJSON.call(v, key) as unknown;
  }
  if (typeof v === 'object' && v !== null) {
    if (v instanceof Number) return Number(v);
    if (v instanceof String) return String(v);
    if (v instanceof Boolean || v instanceof BigInt) return v.valueOf();
    return v;
  }
  return typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
}

/** Whether an object would have its toJSON called by JSON.stringify. */
export const hasToJSON = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function';

/** A JSON string literal: JSON.stringify's escaping, skipped when nothing needs escaping. */
export function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Characters JSON.stringify escapes: quote, backslash, controls, and (lone) surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
