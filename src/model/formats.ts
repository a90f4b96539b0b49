import { isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * The string and number formats the apiserver knows (kube-openapi's format registry), with a
 * JavaScript check for each. The checks are as strict as the apiserver or stricter, so a value
 * crdconv admits is one the apiserver admits; the generators (testing/generators/arbitraryAnnotations.ts)
 * make values that pass them.
 */
const re = (source: string) => {
  const r = new RegExp(source, 'u');
  return (s: string) => r.test(s);
};

const rfc3339 = re('^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$');
const date = re('^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$');
/** Go's time.ParseDuration syntax (kube-openapi tries it first), e.g. `1h30m`, `500ms`, `-1.5s`, `0`. */
const duration = re('^[-+]?(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)$');
const base64 = re('^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$');
const uuid = re('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$');
const uuidVersion = (v: string) =>
  re(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-${v}[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`);
const hostname = (s: string) =>
  s.length <= 253 && s.split('.').every((label) => /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/.test(label));
const cidr = (s: string) => {
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const v = isIP(ip);
  return v !== 0 && Number(bits) <= (v === 4 ? 32 : 128);
};
const uri = (s: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && URL.canParse(s);

export const STRING_FORMATS: Readonly<Record<string, (s: string) => boolean>> = {
  'date-time': rfc3339,
  datetime: rfc3339,
  date,
  duration,
  byte: base64,
  password: () => true,
  uuid,
  uuid3: uuidVersion('3'),
  uuid4: uuidVersion('4'),
  uuid5: uuidVersion('5'),
  ipv4: isIPv4,
  ipv6: isIPv6,
  cidr,
  hostname,
  email: re('^[A-Za-z0-9._%+-]+@[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$'),
  uri,
  mac: re('^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$'),
  bsonobjectid: re('^[0-9a-fA-F]{24}$'),
  hexcolor: re('^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$'),
  rgbcolor: re('^rgb\\(\\s*\\d{1,3}\\s*,\\s*\\d{1,3}\\s*,\\s*\\d{1,3}\\s*\\)$'),
  isbn: re('^(\\d{9}[\\dX]|\\d{13})$'),
  isbn10: re('^\\d{9}[\\dX]$'),
  isbn13: re('^\\d{13}$'),
  creditcard: re('^\\d{13,19}$'),
  ssn: re('^\\d{3}-\\d{2}-\\d{4}$'),
};

/** Formats of numbers: they name a width, not a constraint crdconv checks. */
export const NUMBER_FORMATS: Readonly<Record<string, 'integer' | 'number'>> = {
  int32: 'integer',
  int64: 'integer',
  float: 'number',
  double: 'number',
};

/** Whether a value satisfies a format; values of other types, and unknown formats, pass. */
export function formatHolds(format: string, value: unknown): boolean {
  if (typeof value !== 'string') return true;
  const check = STRING_FORMATS[format];
  return check === undefined || check(value);
}

/** The JSON types a format may be stated on, or undefined for a format the apiserver does not know. */
export function formatTypes(format: string): readonly string[] | undefined {
  if (format in STRING_FORMATS) return ['string'];
  const n = NUMBER_FORMATS[format];
  return n === 'integer' ? ['integer'] : n === 'number' ? ['number'] : undefined;
}
