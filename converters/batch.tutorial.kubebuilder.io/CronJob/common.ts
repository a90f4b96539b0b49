import { DateTime, FreeForm, Int32, Int64, constrained, t } from '../../../src/index.js';

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
