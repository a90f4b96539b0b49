import { constrained, t, version } from '../../../src/index.js';
import { CRON_SCHEDULE, commonSpec, jobTemplate, status } from './common.js';

/** `0 1 * * 1-5`, `@hourly`, `@every 90m`: what robfig/cron's standard parser reads and v2 can express. */
export const schedule = constrained(t.string, {
  pattern: CRON_SCHEDULE,
  description: 'Five cron fields, a macro such as @hourly, or @every <duration>',
});

/** v1 of the kubebuilder CronJob tutorial: the schedule is one cron string. */
export const v1 = version(
  'v1',
  t.partial({
    spec: t.intersection([t.type({ schedule, jobTemplate }), t.partial(commonSpec)]),
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
