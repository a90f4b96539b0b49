import { between } from '../../../src/index.js';
import { v1 } from './v1.js';
import { v2 } from './v2.js';

const FIELDS = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
type Schedule = Partial<Record<(typeof FIELDS)[number], string>>;

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
 * Cron string -> structured schedule. The tutorial splits on single spaces and fails unless there
 * are exactly five parts; ours accepts any whitespace and expands the macros to what they mean.
 * A schedule v2 cannot express at all (`@every 5m`, six fields) becomes an empty schedule rather
 * than an error: the object is already stored and must stay readable. Whatever the string was
 * exactly (`@hourly`, double spaces), the framework's stash brings it back on the way to v1.
 */
export const parseSchedule = (cron: string): Schedule => {
  // A Map, not an object literal: a schedule of `__proto__` must not find Object.prototype.
  const parts = (MACROS.get(cron.trim()) ?? cron).trim().split(/\s+/);
  if (parts.length !== FIELDS.length) return {};
  const schedule: Schedule = {};
  FIELDS.forEach((field, i) => {
    if (parts[i] !== '*') schedule[field] = parts[i]!;
  });
  return schedule;
};

/** Structured schedule -> cron string: absent fields are `*`. */
export const formatSchedule = (schedule: Schedule): string => FIELDS.map((f) => schedule[f] ?? '*').join(' ');

/** Fields go onto the fresh rest objects with Object.assign (see Backend's v1-v2.ts for why). */
export const v1v2 = between(v1, v2, {
  up: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { schedule, ...specRest } = spec;
    return Object.assign(rest, {
      spec: schedule === undefined ? specRest : Object.assign(specRest, { schedule: parseSchedule(schedule) }),
    });
  },
  down: ({ spec, ...rest }) => {
    if (spec === undefined) return rest;
    const { schedule, ...specRest } = spec;
    return Object.assign(rest, {
      spec: schedule === undefined ? specRest : Object.assign(specRest, { schedule: formatSchedule(schedule) }),
    });
  },
});
