import { Int32, Int64, IntOrString, constrained, nullable, t } from '../../../src/index.js';

/** Fields every version of Database shares unchanged. */
export const sharedSpec = {
  replicas: constrained(Int32, { minimum: 0, maximum: 100 }),
  /** The port the database listens on, or the name of a container port. */
  port: IntOrString,
  /** Engine parameters (e.g. `max_connections`): free keys, string values. */
  parameters: t.record(t.string, t.string),
  users: t.array(
    t.intersection([
      t.type({ name: constrained(t.string, { minLength: 1 }) }),
      t.partial({ roles: t.array(t.string) }),
    ]),
  ),
  /** A cron schedule for backups; null switches backups off explicitly, absent means the default. */
  backupSchedule: nullable(t.string),
};

export const status = t.partial({
  phase: t.keyof({ Pending: null, Ready: null, Failed: null }),
  observedGeneration: Int64,
  endpoint: t.string,
});
