/**
 * One demanding object per shipped kind and version: integers beyond 2^53 (int64 max),
 * `__proto__`-style map keys (own properties, the way JSON.parse makes them), unicode in keys and
 * values, and content the other versions cannot hold (so that the stash annotation is exercised).
 */
import { convertObject } from '../../../src/convert/convertObject.js';
import { registry } from '../../../converters/index.js';
import type { Obj } from './kube.js';

export interface KindUnderTest {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly crd: string;
  readonly versions: readonly string[];
  readonly storage: string;
  readonly hasStatus: boolean;
  /** A body (everything but apiVersion, kind, metadata; status apart) per version. */
  readonly samples: Readonly<Record<string, { body: Obj; status?: Obj }>>;
  /** A field to change through a version by merge patch, per version: [patch, what to check]. */
  readonly patches: Readonly<Record<string, Obj>>;
}

const hostile = (): Record<string, string> =>
  JSON.parse(
    '{"__proto__":"p","constructor":"c","toString":"t","ünï-cødé ✓":"värde 🌍","max_connections":"200"}',
  ) as Record<string, string>;

const jobTemplate = (): Obj => ({
  metadata: { labels: { app: 'hello' }, annotations: { 'note.example.com/ключ': 'значение ✓' } },
  spec: {
    backoffLimit: 4,
    activeDeadlineSeconds: 9223372036854775807n,
    template: {
      spec: {
        containers: [{ name: 'hello', image: 'busybox:1.36', args: ['echo', 'héllo 🌍', '9007199254740993'] }],
        restartPolicy: 'OnFailure',
      },
    },
    // Free-form content (the JobTemplateSpec passes through whole): hostile keys survive too.
    ...(JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":1}}') as Obj),
  },
});

export const KINDS: readonly KindUnderTest[] = [
  {
    group: 'stable.example.com',
    kind: 'Backend',
    plural: 'backends',
    crd: 'backends.stable.example.com',
    versions: ['v1', 'v2'],
    storage: 'v1',
    hasStatus: false,
    samples: {
      // Several colons: v2 splits at the first one and v1 gets it back whole.
      v1: { body: { hostPort: 'bäckend-✓.例え.jp:5432:extra' } },
      // A host holding colons: v1's joined string cannot tell it apart, the stash keeps it.
      v2: { body: { host: '[::1]', port: '8443' } },
    },
    patches: {
      v1: { hostPort: 'patched.example.com:9000' },
      v2: { port: '9001' },
    },
  },
  {
    group: 'batch.tutorial.kubebuilder.io',
    kind: 'CronJob',
    plural: 'cronjobs',
    crd: 'cronjobs.batch.tutorial.kubebuilder.io',
    versions: ['v1', 'v2'],
    storage: 'v1',
    hasStatus: true,
    samples: {
      v1: {
        body: {
          spec: {
            // A macro and odd spacing: v2 holds what they mean, the stash how they were written.
            schedule: '@hourly',
            startingDeadlineSeconds: 9223372036854775807n,
            concurrencyPolicy: 'Forbid',
            suspend: false,
            successfulJobsHistoryLimit: 2147483647,
            jobTemplate: jobTemplate(),
          },
        },
        status: { lastScheduleTime: '2026-11-02T03:04:05Z', active: [{ kind: 'Job', name: 'hello-ü', uid: 'u-1' }] },
      },
      v2: {
        body: {
          spec: {
            schedule: { minute: '*/5', hour: '1-3', dayOfWeek: 'MON' },
            startingDeadlineSeconds: 9007199254740993n,
            failedJobsHistoryLimit: 0,
            jobTemplate: jobTemplate(),
          },
        },
        status: { lastScheduleTime: '2026-12-24T18:00:00Z' },
      },
    },
    patches: {
      v1: { spec: { schedule: '30 4 * * *' } },
      v2: { spec: { schedule: { minute: '15' } } },
    },
  },
  {
    group: 'platform.example.com',
    kind: 'Database',
    plural: 'databases',
    crd: 'databases.platform.example.com',
    versions: ['v1alpha1', 'v1beta1', 'v1'],
    storage: 'v1',
    hasStatus: true,
    samples: {
      v1alpha1: {
        body: {
          spec: {
            image: 'registry.example.com:5000/postgres:16.2',
            storageBytes: 9223372036854775807n,
            replicas: 3,
            port: 5432,
            parameters: hostile(),
            users: [{ name: 'ålice', roles: ['read', 'wríte'] }, { name: '監査' }],
            backupSchedule: null,
          },
        },
        status: { phase: 'Ready', observedGeneration: 9223372036854775807n, endpoint: 'db.default.svc:5432' },
      },
      v1beta1: {
        body: {
          spec: {
            engine: 'mysql',
            version: '8.0.36',
            storageBytes: 9007199254740993n,
            port: 'mysql',
            parameters: hostile(),
            backupSchedule: '0 3 * * *',
          },
        },
        status: { phase: 'Pending', observedGeneration: 9007199254740993n },
      },
      v1: {
        body: {
          spec: {
            engine: 'postgres',
            version: '16.2',
            capacityBytes: 9223372036854775807n,
            replicas: 0,
            port: 'pg',
            parameters: hostile(),
            users: [{ name: 'app', roles: [] }],
            // Only v1 has it: older versions carry it in the stash.
            maintenanceWindow: { day: 'Sunday', startHour: 3, durationMinutes: 1440 },
          },
        },
        status: { phase: 'Failed', observedGeneration: 1, endpoint: 'ünï.example:1' },
      },
    },
    patches: {
      v1alpha1: { spec: { image: 'postgres:17.0' } },
      v1beta1: { spec: { version: '8.4.0' } },
      v1: { spec: { maintenanceWindow: { day: 'Monday', startHour: 4 } } },
    },
  },
];

/** What crdconv itself makes of an object for a version (the expected content of a read). */
export function convertLocally(object: Obj, apiVersion: string): Obj {
  const result = convertObject(registry, object, apiVersion);
  if (!result.ok) throw new Error(`crdconv cannot convert locally to ${apiVersion}: ${JSON.stringify(result.failure)}`);
  return result.object;
}
