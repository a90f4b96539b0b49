import fc from 'fast-check';
import type * as t from 'io-ts';
import { CRON_MACROS } from '../../converters/batch.tutorial.kubebuilder.io/CronJob/common.js';
import { schedule } from '../../converters/batch.tutorial.kubebuilder.io/CronJob/v1.js';
import { image } from '../../converters/platform.example.com/Database/v1alpha1.js';
import { hostPort } from '../../converters/stable.example.com/Backend/v1.js';
import { port } from '../../converters/stable.example.com/Backend/v2.js';
import { type Generators, mergeGenerators } from '../../src/testing/generators/arbitrary.js';

/**
 * Generators for the values the shipped converters parse, per kind: a generator derived from
 * `t.string` or from a pattern almost never produces a valid cron line, a hostPort with two
 * colons or an image behind a registry port, and then a converter that parses them wrongly
 * passes every property. Each mixes the derived generator in, for the odd values.
 */
type Codecs = Map<t.Mixed, (derived: fc.Arbitrary<unknown>) => fc.Arbitrary<unknown>>;
const mix = (own: fc.Arbitrary<unknown>, derived: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: own, weight: 4 }, { arbitrary: derived, weight: 1 });

/** Spaces and tabs, one or several: what v1's pattern admits around and between cron words. */
const gap = fc.oneof({ arbitrary: fc.constant(' '), weight: 4 }, fc.constantFrom('  ', '\t', ' \t ', '   '));
const edge = fc.oneof({ arbitrary: fc.constant(''), weight: 3 }, gap);

const cronField = fc.oneof(
  fc.constantFrom('*', '0', '5', '*/5', '1-5', '1,15', '0-23/2', '?', 'MON-FRI', 'JAN', '*/15'),
  fc.integer({ min: 0, max: 59 }).map(String),
);
const duration = fc.oneof(
  fc.constantFrom('5m', '1h30m', '90s', '1.5h', '100ms', '2h45m10s'),
  fc.tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom('s', 'm', 'h', 'ms')).map(([n, u]) => `${n}${u}`),
);

/** Five fields, macros and `@every`, with odd whitespace around and between. */
export const cronArbitrary: fc.Arbitrary<string> = fc
  .tuple(
    edge,
    fc.oneof(
      { arbitrary: fc.array(fc.tuple(cronField, gap), { minLength: 5, maxLength: 5 }), weight: 3 },
      { arbitrary: fc.constantFrom(...CRON_MACROS).map((m) => [[m, ''] as [string, string]]), weight: 2 },
      { arbitrary: fc.tuple(gap, duration).map(([g, d]) => [['@every', g] as [string, string], [d, '']]), weight: 1 },
    ),
    edge,
  )
  .map(
    ([before, words, after]) => before + words.map(([w, g], i) => (i < words.length - 1 ? w + g : w)).join('') + after,
  );

/** Hosts with and without colons, ports present, empty or absent: `a:b:c`, `[::1]:80`, `db`. */
export const hostPortArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('localhost:8080', '[::1]:80', 'a:b:c', 'db', '', ':', 'db:', 'a::', '::1', ':9'),
  fc
    .tuple(fc.array(fc.constantFrom('a', 'db', '10.0.0.1', '[fe80::1]', ''), { minLength: 1, maxLength: 4 }))
    .map(([parts]) => parts.join(':')),
  fc
    .tuple(fc.constantFrom('db', 'x.svc', '[::1]', 'h:h'), fc.constantFrom('80', '5432', 'http', ''))
    .map(([h, p]) => `${h}:${p}`),
);

/** Image references: a registry with a port, a path, a tag or none, and the odd ones (`:16`, `pg:`). */
export const imageArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('postgres:16.2', 'registry:5000/postgres', 'registry:5000/postgres:16', ':16', 'pg:', 'a:b:c', '/:1'),
  fc
    .tuple(
      fc.constantFrom('', 'registry:5000/', 'docker.io/library/', 'localhost:5000/team/', 'ghcr.io/'),
      fc.constantFrom('postgres', 'mysql', 'pg', 'my-db'),
      fc.constantFrom('', ':16', ':16.2', ':latest', ':', ':a:b'),
    )
    .map(([registry, name, tag]) => `${registry}${name}${tag}`),
);

export const cronJobGenerators: Generators = { codecs: new Map([[schedule, (d) => mix(cronArbitrary, d)]]) as Codecs };
export const backendGenerators: Generators = {
  codecs: new Map([
    [hostPort, (d) => mix(hostPortArbitrary, d)],
    [port, (d) => mix(fc.constantFrom('80', '8080', 'http', ''), d)],
  ]) as Codecs,
};
export const databaseGenerators: Generators = { codecs: new Map([[image, (d) => mix(imageArbitrary, d)]]) as Codecs };

/** The shipped registry's generators: its kinds' together. */
export const shippedGenerators: Generators = mergeGenerators(cronJobGenerators, backendGenerators, databaseGenerators);
