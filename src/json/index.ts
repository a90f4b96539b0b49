/**
 * Exact, fast JSON: integers beyond 2^53 survive as bigint (parse) and as the same digits
 * (stringify), while texts and values without them take the native JSON.parse/JSON.stringify.
 */
export { parseJson, MAX_INTEGER_DIGITS } from './parse.js';
export { stringifyJson } from './stringify.js';
export { canonicalJson } from './canonical.js';
export { jsonEqual } from './equal.js';
export { JsonSyntaxError, JsonTooDeepError } from './errors.js';
