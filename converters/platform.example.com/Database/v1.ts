import { Int32, Int64, constrained, t, version } from '../../../src/index.js';
import { sharedSpec, status } from './common.js';

const maintenanceWindow = t.intersection([
  t.type({
    day: t.keyof({
      Monday: null,
      Tuesday: null,
      Wednesday: null,
      Thursday: null,
      Friday: null,
      Saturday: null,
      Sunday: null,
    }),
    startHour: constrained(Int32, { minimum: 0, maximum: 23 }),
  }),
  t.partial({ durationMinutes: constrained(Int32, { minimum: 1, maximum: 1440 }) }),
]);

/** v1: `storageBytes` renamed `capacityBytes`; `maintenanceWindow` is new and only v1 holds it. */
export const v1 = version(
  'v1',
  t.partial({
    spec: t.intersection([
      t.type({
        engine: constrained(t.string, { minLength: 1 }),
        capacityBytes: constrained(Int64, { minimum: 0 }),
      }),
      t.partial({ version: t.string, maintenanceWindow, ...sharedSpec }),
    ]),
    status,
  }),
  {
    storage: true,
    printerColumns: [
      { name: 'Engine', type: 'string', jsonPath: '.spec.engine' },
      { name: 'Version', type: 'string', jsonPath: '.spec.version' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    ],
  },
);
