/**
 * CronJob payloads: the kubebuilder multi-version tutorial's kind (converters/batch.tutorial.
 * kubebuilder.io/CronJob), the one kind that controller-runtime serves in the bench too. Objects
 * are stored at v1 (a cron string) and asked for at v2 (the schedule field by field), as a
 * cluster that has moved its clients to v2 asks. Realistic: a Job template with a pod template,
 * containers with env and resources, labels, annotations, managedFields, and a status with the
 * active jobs. Values are in the form Go's types write back (canonical quantities, times in
 * seconds), so that controller-runtime's typed round trip is not charged for reformatting.
 *
 * Next to each object, the v2 object the service must answer with, derived here by hand.
 */
import { carriesInt64, prng, type Case } from './payloads.js';

export const CRON_GROUP = 'batch.tutorial.kubebuilder.io';
export const CRON_SOURCE_API_VERSION = `${CRON_GROUP}/v1`;
export const CRON_DESIRED_API_VERSION = `${CRON_GROUP}/v2`;

type Json = Record<string, unknown>;

const TEAMS = ['data', 'billing', 'search', 'platform', 'reports', 'ml', 'security', 'growth'];
const TASKS = ['backup', 'compact', 'report', 'sync', 'cleanup', 'export', 'reindex', 'rotate-keys'];
const IMAGES = [
  'busybox:1.36',
  'registry.example.com:5000/batch/runner:2.4.1',
  'ghcr.io/example/exporter:v0.9.3',
  'python:3.12-slim',
];
const MINUTES = ['0', '5', '15', '30', '*/5', '*/15', '*'];
const HOURS = ['*', '0', '3', '*/2', '9-17', '1,13'];
const DAYS_OF_MONTH = ['*', '*', '*', '1', '15', '1-7'];
const MONTHS = ['*', '*', '*', '*', '1', '*/3'];
const DAYS_OF_WEEK = ['*', '*', '1-5', '0', '6', '1'];
const CPUS = ['50m', '100m', '250m', '500m', '1', '2'];
const MEMORIES = ['64Mi', '128Mi', '256Mi', '512Mi', '1Gi', '2Gi'];
const FIELDS = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const hex = (rand: () => number, n: number): string =>
  Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const uuid = (rand: () => number): string =>
  `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`;
const timestamp = (secondsAfter: number): string =>
  new Date(Date.UTC(2025, 0, 6, 8, 0, 0) + secondsAfter * 1000).toISOString().replace('.000Z', 'Z');
const fieldSet = (o: Json): Json => Object.fromEntries(Object.keys(o).map((k) => [`f:${k}`, {}]));

/** Object `i` of a list generated with `seed`; with `int64`, startingDeadlineSeconds is beyond 2^53. */
export function cronJobCase(seed: number, i: number, int64: boolean): Case {
  const rand = prng(seed * 1_000_033 + i);
  const team = pick(rand, TEAMS);
  const task = pick(rand, TASKS);
  const name = `${team}-${task}-${i}`;
  const namespace = `${team}-${pick(rand, ['prod', 'staging'])}`;
  const created = i * 41;
  const schedule = [MINUTES, HOURS, DAYS_OF_MONTH, MONTHS, DAYS_OF_WEEK].map((parts) => pick(rand, parts));
  const plainDeadline = 30 + Math.floor(rand() * 600);
  const labels: Json = {
    'app.kubernetes.io/name': task,
    'app.kubernetes.io/part-of': team,
    'app.kubernetes.io/managed-by': 'Helm',
    team,
  };
  const image = pick(rand, IMAGES);
  const env = Array.from({ length: 2 + Math.floor(rand() * 4) }, (_, k) => ({
    name: `${task.toUpperCase().replace('-', '_')}_SETTING_${k}`,
    value: `${team}-${Math.floor(rand() * 1e6)}`,
  }));
  const cpu = pick(rand, CPUS);
  const memory = pick(rand, MEMORIES);
  const spec: Json = {
    schedule: schedule.join(' '),
    startingDeadlineSeconds: int64 ? 2n ** 62n + BigInt(i) : plainDeadline,
    concurrencyPolicy: pick(rand, ['Allow', 'Forbid', 'Replace']),
    suspend: rand() < 0.1,
    jobTemplate: {
      metadata: { labels: { ...labels, 'batch.tutorial.kubebuilder.io/cronjob': name } },
      spec: {
        backoffLimit: 1 + Math.floor(rand() * 6),
        activeDeadlineSeconds: 600 + Math.floor(rand() * 3000),
        template: {
          metadata: { labels: { ...labels, 'batch.tutorial.kubebuilder.io/cronjob': name } },
          spec: {
            containers: [
              {
                name: task,
                image,
                args: ['--team', team, '--task', task, '--verbose'],
                env,
                resources: { limits: { cpu, memory }, requests: { cpu, memory } },
                imagePullPolicy: 'IfNotPresent',
              },
            ],
            restartPolicy: 'OnFailure',
            serviceAccountName: `${team}-jobs`,
          },
        },
      },
    },
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
  };
  const active = Array.from({ length: Math.floor(rand() * 3) }, (_, k) => ({
    kind: 'Job',
    namespace,
    name: `${name}-${29_000_000 + i * 10 + k}`,
    uid: uuid(rand),
    apiVersion: 'batch/v1',
    resourceVersion: String(7_000_000 + i * 17 + k),
  }));
  const status: Json = active.length
    ? { active, lastScheduleTime: timestamp(created + 3600) }
    : { lastScheduleTime: timestamp(created + 3600) };
  const annotations: Json = {
    'meta.helm.sh/release-name': `${team}-jobs`,
    'meta.helm.sh/release-namespace': namespace,
    'example.com/owner': `${team}@example.com`,
  };
  const metadata: Json = {
    name,
    namespace,
    uid: uuid(rand),
    resourceVersion: String(5_000_000 + i * 13),
    generation: 1 + Math.floor(rand() * 20),
    creationTimestamp: timestamp(created),
    labels,
    annotations,
    managedFields: [
      {
        manager: 'helm',
        operation: 'Update',
        apiVersion: CRON_SOURCE_API_VERSION,
        time: timestamp(created),
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': {
            'f:annotations': { '.': {}, ...fieldSet(annotations) },
            'f:labels': { '.': {}, ...fieldSet(labels) },
          },
          'f:spec': { '.': {}, ...fieldSet(spec) },
        },
      },
      {
        manager: 'cronjob-controller',
        operation: 'Update',
        apiVersion: CRON_SOURCE_API_VERSION,
        time: timestamp(created + 3600),
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': { '.': {}, ...fieldSet(status) } },
        subresource: 'status',
      },
    ],
  };
  const sent: Json = { apiVersion: CRON_SOURCE_API_VERSION, kind: 'CronJob', metadata, spec, status };
  return { sent, expected: expectedV2(sent), int64 };
}

/** The v2 schedule of a five-field cron string: each field but `*`. */
export function v2Schedule(cron: string): Json {
  const parts = cron.split(' ');
  return Object.fromEntries(FIELDS.flatMap((f, k) => (parts[k] === '*' ? [] : [[f, parts[k]]])));
}

/** What the tutorial's conversion makes of a v1 object at v2: the schedule split, nothing else touched. */
function expectedV2(sent: Json): Json {
  const spec = sent.spec as Json & { schedule: string };
  return { ...sent, apiVersion: CRON_DESIRED_API_VERSION, spec: { ...spec, schedule: v2Schedule(spec.schedule) } };
}

/** `count` CronJobs generated with `seed`, `int64Share` of them with a deadline beyond 2^53. */
export const cronJobCases = (seed: number, count: number, int64Share = 0): Case[] =>
  Array.from({ length: count }, (_, i) => cronJobCase(seed, i, carriesInt64(i, count, int64Share)));
