import { quote } from './jsonValue.js';
import { serialize } from './serialize.js';

/**
 * A canonical JSON text of a value, for hashing and comparing: stringifyJson with the keys of
 * every object sorted (UTF-16 code unit order, as RFC 8785), and integers written with all their
 * digits whether held as number or bigint, so that two values give the same text exactly when
 * jsonEqual holds between them (9007199254740993n and 2**63 included).
 *
 * @throws TypeError for a value with no JSON form or a circular one; JsonTooDeepError.
 */
export function canonicalJson(value: unknown): string {
  // Scalars, the common case of a stash fingerprint, skip the serializer's set-up.
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'null';
  const text = serialize(value, { sortKeys: true, integerDigits: true });
  if (text === undefined) throw new TypeError(`canonicalJson: a value of type ${typeof value} has no JSON form`);
  return text;
}
