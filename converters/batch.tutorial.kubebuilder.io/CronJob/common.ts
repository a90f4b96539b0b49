import { DateTime, FreeForm, Int32, Int64, constrained, t } from '../../../src/index.js';

/**
 * One field of a five-field cron expression as robfig/cron (the tutorial's controller) reads it:
 * digits, names (`MON`, `JAN`), `*`, `?`, ranges, steps and lists. No whitespace and no `@`, so
 * that the fields of a v2 schedule always join into a v1 schedule.
 */
export const CRON_FIELD = '[0-9A-Za-z*?/,-]+';

/** A Go duration, as `@every` takes it: `5m`, `1h30m`, `1.5s`. */
export const DURATION = '(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+';

/** The macros with a five-field equivalent (robfig/cron's descriptors). */
export const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;

/**
 * A v1 schedule: five fields, a macro, or `@every <duration>`, with spaces or tabs around and
 * between them. Exactly what v2 can express, so that every v1 schedule has a v2 form.
 */
export const CRON_SCHEDULE = `^[ \\t]*(${CRON_MACROS.join('|')}|@every[ \\t]+${DURATION}|${CRON_FIELD}([ \\t]+${CRON_FIELD}){4})[ \\t]*$`;

/** The parts of the CronJob that v1 and v2 share: everything but the schedule. */
export const commonSpec = {
  startingDeadlineSeconds: constrained(Int64, {
    minimum: 0,
    description: 'Deadline in seconds for starting a job that missed its time.',
  }),
  concurrencyPolicy: t.keyof({ Allow: null, Forbid: null, Replace: null }),
  suspend: t.boolean,
  successfulJobsHistoryLimit: constrained(Int32, { minimum: 0 }),
  failedJobsHistoryLimit: constrained(Int32, { minimum: 0 }),
};

/** A batch/v1 JobTemplateSpec; its schema is Kubernetes', not ours, so it passes through whole. */
export const jobTemplate = FreeForm;

const objectReference = t.partial({
  apiVersion: t.string,
  kind: t.string,
  name: t.string,
  namespace: t.string,
  uid: t.string,
  resourceVersion: t.string,
  fieldPath: t.string,
});

export const status = t.partial({
  active: t.array(objectReference),
  lastScheduleTime: DateTime,
});
