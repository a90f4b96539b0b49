import { LeafType } from './leaf.js';

/**
 * A resource quantity such as `500m`, `1.5Gi` or `2`, as Kubernetes writes it: int-or-string in
 * the schema, with the apimachinery pattern on the string form.
 */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const quantityRegExp = new RegExp(QUANTITY_PATTERN);
export type Quantity = string | number;
export const Quantity = new LeafType<Quantity>(
  'Quantity',
  (u): u is Quantity =>
    (typeof u === 'string' && quantityRegExp.test(u)) || (typeof u === 'number' && Number.isSafeInteger(u)),
);

/**
 * An RFC 3339 timestamp (`format: date-time`), kept as the string it came as: re-formatting a
 * date would change the bytes the apiserver stored.
 */
const dateTimeRegExp = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
export const DateTime = new LeafType<string>(
  'DateTime',
  (u): u is string => typeof u === 'string' && dateTimeRegExp.test(u),
);
