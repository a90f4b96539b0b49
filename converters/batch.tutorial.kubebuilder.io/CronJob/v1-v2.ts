import { between } from '../../../src/index.js';
import { v1 } from './v1.js';
import { v2 } from './v2.js';

const FIELDS = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
type Schedule = Partial<Record<(typeof FIELDS)[number] | 'every', string>>;

/** The cron macros with a five-field equivalent (robfig/cron, which the tutorial's controller uses). */
const MACROS: ReadonlyMap<string, string> = new Map([
  ['@yearly', '0 0 1 1 *'],
  ['@annually', '0 0 1 1 *'],
  ['@monthly', '0 0 1 * *'],
  ['@weekly', '0 0 * * 0'],
  ['@daily', '0 0 * * *'],
  ['@midnight', '0 0 * * *'],
  ['@hourly', '0 * * * *'],
]);

/**
 * A schedule's words: split at spaces and tabs (v1's pattern allows any number of them around and
 * between the fields), with a macro replaced by its five fields. A Map, not an object literal:
 * a schedule of `__proto__` must not find Object.prototype.
 */
export const cronWords = (cron: string): string[] => {
  const words = cron.split(/[ \t]+/).filter((w) => w !== '');
  const macro = words.length === 1 ? MACROS.get(words[0]!) : undefined;
  return macro === undefined ? words : macro.split(' ');
};

/**
 * Cron string -> structured schedule. The tutorial splits on single spaces and fails unless there
 * are exactly five parts; ours takes the whitespace v1 allows, expands the macros to what they
 * mean and keeps `@every 5m` as `every: 5m`. A string v1's schema does not admit (stored before
 * it had a pattern) becomes an empty schedule rather than an error: the object is already stored
 * and must stay readable. Whatever the string was exactly (`@hourly`, double spaces), the
 * framework's stash brings it back on the way to v1.
 */
export const parseSchedule = (cron: string): Schedule => {
  const words = cronWords(cron);
  if (words.length === 2 && words[0] === '@every') return { every: words[1]! };
  if (words.length !== FIELDS.length) return {};
  return Object.fromEntries(FIELDS.flatMap((field, i) => (words[i] === '*' ? [] : [[field, words[i]!]])));
};

/** Structured schedule -> cron string: `@every` when `every` is set, else five fields, absent ones `*`. */
export const formatSchedule = (schedule: Schedule): string =>
  schedule.every !== undefined ? `@every ${schedule.every}` : FIELDS.map((f) => schedule[f] ?? '*').join(' ');

/** Two v1 schedules that mean the same: the same words once macros are expanded. */
export const sameSchedule = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' && typeof b === 'string' && cronWords(a).join(' ') === cronWords(b).join(' ');

export const v1v2 = between(v1, v2, {
  up: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { schedule, ...specRest } = spec;
    return { ...rest, spec: schedule === undefined ? specRest : { ...specRest, schedule: parseSchedule(schedule) } };
  },
  down: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { schedule, ...specRest } = spec;
    return { ...rest, spec: schedule === undefined ? specRest : { ...specRest, schedule: formatSchedule(schedule) } };
  },
  // v1 -> v2 -> v1 writes a schedule in its plain form (`@hourly` comes back `0 * * * *`, two
  // spaces as one): the same schedule, and the stash restores the exact string.
  lossy: { up: { 'spec.schedule': sameSchedule } },
});
