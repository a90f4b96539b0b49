/**
 * The building blocks of a model: io-ts itself plus the Kubernetes leaf types it lacks.
 * A version's codec is written with these and nothing else, so that every interpreter
 * (decoding, CRD schema, property-test generators) understands it.
 */
export * as t from 'io-ts';
export { LeafType, isLeaf } from './leaf.js';
export { Int32, Int64, IntOrString, toBigInt, fromBigInt, INT32_MIN, INT32_MAX, INT64_MIN, INT64_MAX } from './int.js';
export { Quantity, DateTime, QUANTITY_PATTERN } from './strings.js';
export { FreeForm } from './freeform.js';
export { constrained, isConstrained, type Constraints, type ConstrainedType } from './constraints.js';
export { nullable } from './nullable.js';
export {
  annotate,
  described,
  isAnnotated,
  annotationsHold,
  type SchemaAnnotations,
  type ValidationRule,
  type AnnotatedType,
} from './annotations.js';
export { rule, exactlyOneOf, atMostOneOf, atLeastOneOf, ordered, immutable, celField } from './rules.js';
export { Integer } from './integer.js';
export { JsonValue } from './jsonValue.js';
export { patternRegExp, patternProblem, PatternError } from './pattern.js';
export { STRING_FORMATS, formatHolds } from './formats.js';
