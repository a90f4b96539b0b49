import { LeafType } from './leaf.js';

/**
 * Any JSON value, present: `x-kubernetes-preserve-unknown-fields: true` with no type, like
 * `t.unknown`, but a field of it in `t.type` is required (t.unknown admits undefined, which
 * makes the field optional).
 */
export const JsonValue = new LeafType<unknown>('JsonValue', (u): u is unknown => u !== undefined);
