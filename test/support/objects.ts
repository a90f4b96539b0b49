/** Realistic objects of the shipped kinds, as the apiserver stores them. */
export const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: 'default',
  uid: `0c9a6a1e-5d1f-4b8e-9a7e-${name
    .padEnd(12, '0')
    .slice(0, 12)
    .replace(/[^0-9a-f]/g, 'a')}`,
  resourceVersion: '4711',
  generation: 3,
  creationTimestamp: '2026-11-01T10:00:00Z',
  labels: { app: name },
  ...extra,
});

export const backendV1 = (name: string, hostPort: string) => ({
  apiVersion: 'stable.example.com/v1',
  kind: 'Backend',
  metadata: meta(name),
  hostPort,
});

export const backendV2 = (name: string, host: string, port: string) => ({
  apiVersion: 'stable.example.com/v2',
  kind: 'Backend',
  metadata: meta(name),
  host,
  port,
});

export const cronJobV1 = (name: string, schedule: string) => ({
  apiVersion: 'batch.tutorial.kubebuilder.io/v1',
  kind: 'CronJob',
  metadata: meta(name),
  spec: {
    schedule,
    concurrencyPolicy: 'Forbid',
    startingDeadlineSeconds: 60,
    jobTemplate: {
      spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox' }], restartPolicy: 'OnFailure' } } },
    },
  },
  status: { lastScheduleTime: '2026-11-02T03:04:05Z' },
});

export const databaseV1 = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'platform.example.com/v1',
  kind: 'Database',
  metadata: meta(name),
  spec: {
    engine: 'postgres',
    version: '16.2',
    capacityBytes: 9223372036854775807n,
    replicas: 3,
    port: 'pg',
    // Hostile keys as own properties, the way JSON.parse makes them (a literal `__proto__:` would not).
    parameters: JSON.parse('{"max_connections":"200","__proto__":"x","constructor":"y"}') as Record<string, string>,
    users: [{ name: 'app', roles: ['read', 'write'] }, { name: 'audit' }],
    backupSchedule: null,
    maintenanceWindow: { day: 'Sunday', startHour: 3, durationMinutes: 90 },
    ...spec,
  },
  status: { phase: 'Ready', observedGeneration: 9007199254740993n, endpoint: 'db.default.svc:5432' },
});

export const databaseV1alpha1 = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'platform.example.com/v1alpha1',
  kind: 'Database',
  metadata: meta(name),
  spec: { image: 'registry:5000/postgres:16.2', storageBytes: 10737418240, port: 5432, ...spec },
});
