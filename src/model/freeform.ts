import { LeafType } from './leaf.js';

/**
 * A JSON object whose content the model does not describe (`type: object` with
 * `x-kubernetes-preserve-unknown-fields: true`), such as an embedded pod template. Its keys are
 * the user's: they pass through conversion untouched, `__proto__` and `constructor` included.
 */
export type FreeForm = { [key: string]: unknown };
export const FreeForm = new LeafType<FreeForm>(
  'FreeForm',
  (u): u is FreeForm => typeof u === 'object' && u !== null && !Array.isArray(u),
);
