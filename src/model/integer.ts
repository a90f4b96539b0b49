import { LeafType } from './leaf.js';
import { Int64 } from './int.js';

/**
 * `type: integer` with no format, as CRDs generated from Go's `int` say. The apiserver stores it
 * as an int64, so the values are Int64's; only the schema differs (no `format`).
 */
export const Integer = new LeafType<Int64>('Integer', (u): u is Int64 => Int64.is(u));
