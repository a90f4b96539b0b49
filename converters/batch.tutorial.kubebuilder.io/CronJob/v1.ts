import { constrained, t, version } from '../../../src/index.js';
import { commonSpec, jobTemplate, status } from './common.js';

/** v1 of the kubebuilder CronJob tutorial: the schedule is one cron string. */
export const v1 = version(
  'v1',
  t.partial({
    spec: t.intersection([
      t.type({ schedule: constrained(t.string, { minLength: 1 }), jobTemplate }),
      t.partial(commonSpec),
    ]),
    status,
  }),
  {
    storage: true,
    printerColumns: [
      { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
      { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend' },
      { name: 'Last Schedule', type: 'date', jsonPath: '.status.lastScheduleTime' },
    ],
  },
);
