import { constrained, t, version } from '../../../src/index.js';
import { CRON_FIELD, DURATION, commonSpec, jobTemplate, status } from './common.js';

/** One field of a cron expression; absent means `*`. */
const cronField = constrained(t.string, { pattern: `^${CRON_FIELD}$` });

/**
 * v2 of the kubebuilder CronJob tutorial: the schedule is structured, one field per part. `every`
 * holds what v1 writes `@every 5m`, which no five fields can say; with `every` set, the other
 * fields are not used (v1 cannot hold both: the stash keeps them).
 */
export const v2 = version(
  'v2',
  t.partial({
    spec: t.intersection([
      t.type({
        schedule: t.partial({
          minute: cronField,
          hour: cronField,
          dayOfMonth: cronField,
          month: cronField,
          dayOfWeek: cronField,
          every: constrained(t.string, { pattern: `^${DURATION}$`, description: 'Run every this long (@every)' }),
        }),
        jobTemplate,
      }),
      t.partial(commonSpec),
    ]),
    status,
  }),
);
