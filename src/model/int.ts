import { LeafType } from './leaf.js';

/** Bounds of the integer formats Kubernetes' OpenAPI knows. */
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
export const INT64_MIN = -9223372036854775808n;
export const INT64_MAX = 9223372036854775807n;

/** A 32-bit signed integer (`type: integer, format: int32`). */
export const Int32 = new LeafType<number>(
  'Int32',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= INT32_MIN && u <= INT32_MAX,
);

/**
 * A 64-bit signed integer (`type: integer, format: int64`).
 *
 * JavaScript numbers hold integers exactly only up to 2^53 - 1, so the lossless JSON parser hands
 * values beyond that over as `bigint`; values within stay plain numbers, which keeps the common
 * case fast and arithmetic simple. Converters that do arithmetic on an Int64 use `toBigInt`.
 */
export type Int64 = number | bigint;
export const Int64 = new LeafType<Int64>('Int64', (u): u is Int64 => {
  if (typeof u === 'number') return Number.isSafeInteger(u);
  if (typeof u === 'bigint') return u >= INT64_MIN && u <= INT64_MAX;
  return false;
});

export const toBigInt = (n: Int64): bigint => (typeof n === 'bigint' ? n : BigInt(n));

/** The canonical form of an integer: a number when it is exactly representable, else a bigint. */
export const fromBigInt = (n: bigint): Int64 =>
  n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;

/** `x-kubernetes-int-or-string`: an integer or a string, such as a port number or name. */
export type IntOrString = number | bigint | string;
export const IntOrString = new LeafType<IntOrString>(
  'IntOrString',
  (u): u is IntOrString => typeof u === 'string' || Int64.is(u),
);
