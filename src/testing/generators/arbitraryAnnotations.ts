import fc from 'fast-check';
import type * as t from 'io-ts';
import {
  annotationsHold,
  innerConstraints,
  jsonKey,
  listMapKey,
  type AnnotatedType,
  type SchemaAnnotations,
} from '../../model/annotations.js';
import { registerLeafArbitrary } from './arbitraryLeaves.js';
import { dateTimeArbitrary } from './arbitraryLeaves.js';
import { int64Arbitrary, jsonValueArbitrary } from './arbitraryPrimitives.js';
import { isJsonObject } from '../../json/objects.js';

/**
 * Generators for annotated codecs (model/annotations.ts), used by arbitrary.ts: the base codec's
 * values, shaped to meet what the annotations narrow (a format, unique list entries, an embedded
 * resource's apiVersion and kind), then filtered by the annotations' own check so that nothing
 * they forbid gets through. In partial mode the base values may lack required fields; only the
 * annotations are checked here, never the base type again.
 */
export function annotatedArbitrary(
  c: AnnotatedType<t.Mixed>,
  base: fc.Arbitrary<unknown>,
  partial: boolean,
): fc.Arbitrary<unknown> {
  const a = c.annotations;
  let arb = base;
  const format = typeof a.format === 'string' ? FORMAT_ARBITRARIES[a.format] : undefined;
  if (format) {
    // Strings of the format, within the codec's own constraints; what else the codec admits (null).
    const inner = c.type;
    const strings = format.filter((s) => inner.is(s));
    arb = inner.is(null) ? fc.oneof({ arbitrary: strings, weight: 4 }, fc.constant(null)) : strings;
  }
  if (a.listType === 'set') arb = arb.map((v) => (Array.isArray(v) ? dedupe(v, jsonKey) : v));
  if (a.listType === 'map' && a.listMapKeys) {
    const keys = a.listMapKeys;
    arb = arb.map((v) => (Array.isArray(v) ? dedupe(v, (item) => listMapKey(keys, item)) : v));
  }
  if (a.embeddedResource) arb = arb.map(embedded(partial));
  const constraints = innerConstraints(c.type);
  return arb.filter((v) => annotationsHold(a, constraints, v));
}

const dedupe = (items: unknown[], key: (u: unknown) => string): unknown[] => {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

/** An embedded object is a Kubernetes object: apiVersion and kind set, metadata an object if any. */
const embedded =
  (partial: boolean) =>
  (v: unknown): unknown => {
    if (!isJsonObject(v)) return v;
    if (partial && Object.keys(v).length === 0) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k !== 'metadata' || isJsonObject(x))
        Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    }
    if (typeof out.apiVersion !== 'string' || out.apiVersion === '') out.apiVersion = 'v1';
    if (typeof out.kind !== 'string' || out.kind === '') out.kind = 'ConfigMap';
    return out;
  };

const hexString = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const label = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'), maxLength: 8 }),
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
  )
  .map(([a, b, c]) => a + b + c);
const uuidOf = (version: string | undefined) =>
  fc
    .tuple(hexString(8), hexString(4), hexString(3), fc.constantFrom('8', '9', 'a', 'b'), hexString(3), hexString(12))
    .map(
      ([a, b, c, v, d, e]) =>
        `${a}-${version === undefined ? b : `${version}${b.slice(1)}`}-${version ?? 'a'}${c}-${v}${d}-${e}`,
    );
const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6();
const durationUnit = fc.constantFrom('ns', 'us', 'ms', 's', 'm', 'h');
const duration = fc.oneof(
  fc.constantFrom('0', '1s', '1h30m', '500ms', '2h45m10s', '-1.5s'),
  fc
    .array(fc.tuple(digits(1, 4), durationUnit), { minLength: 1, maxLength: 3 })
    .map((parts) => parts.map(([n, u]) => `${Number(n)}${u}`).join('')),
);
const base64 = fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes).toString('base64'));
const date = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

/** Values of each string format that format.ts's check accepts. */
const FORMAT_ARBITRARIES: Readonly<Record<string, fc.Arbitrary<string>>> = {
  'date-time': dateTimeArbitrary,
  datetime: dateTimeArbitrary,
  date,
  duration,
  byte: base64,
  uuid: uuidOf(undefined),
  uuid3: uuidOf('3'),
  uuid4: uuidOf('4'),
  uuid5: uuidOf('5'),
  ipv4,
  ipv6,
  cidr: fc.oneof(
    fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([ip, n]) => `${ip}/${n}`),
    fc.tuple(ipv6, fc.integer({ min: 0, max: 128 })).map(([ip, n]) => `${ip}/${n}`),
  ),
  hostname: fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.')),
  email: fc.tuple(label, label).map(([user, host]) => `${user}@${host}.example`),
  uri: fc.tuple(label, label).map(([host, path]) => `https://${host}.example/${path}`),
  mac: fc.array(hexString(2), { minLength: 6, maxLength: 6 }).map((parts) => parts.join(':')),
  bsonobjectid: hexString(24),
  hexcolor: fc.oneof(hexString(3), hexString(6)).map((h) => `#${h}`),
  rgbcolor: fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`),
  isbn: digits(13, 13),
  isbn10: digits(10, 10),
  isbn13: digits(13, 13),
  creditcard: digits(16, 16),
  ssn: fc.tuple(digits(3, 3), digits(2, 2), digits(4, 4)).map((p) => p.join('-')),
};

export const formatArbitrary = (format: string): fc.Arbitrary<string> | undefined => FORMAT_ARBITRARIES[format];

/** For documentation and tests: the annotations the generators shape values for (the rest filter). */
export const SHAPED_ANNOTATIONS: ReadonlyArray<keyof SchemaAnnotations> = ['format', 'listType', 'embeddedResource'];

// `type: integer` without a format holds what int64 holds.
registerLeafArbitrary('Integer', int64Arbitrary);
// Any JSON value, present (a required field that keeps unknown content).
registerLeafArbitrary('JsonValue', jsonValueArbitrary);
