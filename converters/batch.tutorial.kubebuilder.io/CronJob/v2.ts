import { t, version } from '../../../src/index.js';
import { commonSpec, jobTemplate, status } from './common.js';

/** One field of a cron expression; absent means `*`. */
const cronField = t.string;

/** v2 of the kubebuilder CronJob tutorial: the schedule is structured, one field per part. */
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
        }),
        jobTemplate,
      }),
      t.partial(commonSpec),
    ]),
    status,
  }),
);
