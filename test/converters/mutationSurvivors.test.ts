/**
 * Tests written for the mutants StrykerJS left alive in converters/ (run against test/converters
 * and test/testing). Each test names the mutants it kills: file:line and what the mutant changed.
 * Mutants whose only effect is the rendered CRD text (descriptions, printer columns, the
 * deprecation warning) are left to test/crd/staleness.test.ts.
 * Line numbers are those of commit 9347922, where StrykerJS ran (docs/testing-converters.md).
 */
import { expect } from 'chai';
import { kinds } from '../../converters/index.js';
import {
  cronWords,
  parseSchedule,
  sameSchedule,
} from '../../converters/batch.tutorial.kubebuilder.io/CronJob/v1-v2.js';
import { v1 as cronJobV1 } from '../../converters/batch.tutorial.kubebuilder.io/CronJob/v1.js';
import { v2 as cronJobV2 } from '../../converters/batch.tutorial.kubebuilder.io/CronJob/v2.js';
import { v1alpha1v1beta1 } from '../../converters/platform.example.com/Database/v1alpha1-v1beta1.js';
import { v1beta1v1 } from '../../converters/platform.example.com/Database/v1beta1-v1.js';
import { v1alpha1 as databaseV1alpha1 } from '../../converters/platform.example.com/Database/v1alpha1.js';
import { v1beta1 as databaseV1beta1 } from '../../converters/platform.example.com/Database/v1beta1.js';
import { v1 as databaseV1 } from '../../converters/platform.example.com/Database/v1.js';
import { v1v2 as backendConverters } from '../../converters/stable.example.com/Backend/v1-v2.js';
import { v2 as backendV2 } from '../../converters/stable.example.com/Backend/v2.js';
import type { Version } from '../../src/kinds/defineKind.js';
import { validator } from '../../src/validate/validator.js';
import { converterFn as fn } from '../support/conversion.js';

/** The places where a value breaks the version's schema, as the apiserver would check it. */
const problemPaths = (version: Version, value: unknown): string[] =>
  validator(version.codec)
    .problems(value)
    .map((p) => p.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join(''));

const valid = (version: Version, value: unknown) => expect(problemPaths(version, value)).to.deep.equal([]);

describe('mutation survivors in converters/', () => {
  describe('the kinds shipped (identity the apiserver and the registry key on)', () => {
    it(
      'kills converters/index.ts:11 (kinds = []), Database/v1alpha1.ts:9 (version name ""), and the group, kind, ' +
        'plural, scope and shortNames string/array mutants of Backend/index.ts:8-11, CronJob/index.ts:8-11, ' +
        'Database/index.ts:15-19',
      () => {
        expect(
          kinds.map((k) => ({
            group: k.group,
            kind: k.kind,
            plural: k.plural,
            scope: k.scope,
            shortNames: k.shortNames ?? [],
            versions: k.versions.map((v) => v.name),
            storage: k.versions.filter((v) => v.storage).map((v) => v.name),
          })),
        ).to.deep.equal([
          {
            group: 'stable.example.com',
            kind: 'Backend',
            plural: 'backends',
            scope: 'Namespaced',
            shortNames: [],
            versions: ['v1', 'v2'],
            storage: ['v1'],
          },
          {
            group: 'batch.tutorial.kubebuilder.io',
            kind: 'CronJob',
            plural: 'cronjobs',
            scope: 'Namespaced',
            shortNames: [],
            versions: ['v1', 'v2'],
            storage: ['v1'],
          },
          {
            group: 'platform.example.com',
            kind: 'Database',
            plural: 'databases',
            scope: 'Namespaced',
            shortNames: ['db'],
            versions: ['v1alpha1', 'v1beta1', 'v1'],
            storage: ['v1'],
          },
        ]);
      },
    );
  });

  describe('Backend', () => {
    it('kills Backend/v1-v2.ts:13 (colon < 0 -> colon <= 0): a hostPort starting with a colon has an empty host', () => {
      const up = fn(backendConverters, 'v1', 'v2');
      expect(up({ hostPort: ':8080' })).to.deep.equal({ host: '', port: '8080' });
      expect(up({ hostPort: ':' })).to.deep.equal({ host: '', port: '' });
    });

    it('kills Backend/v2.ts:4 (port options -> {}): v2 refuses a port holding a colon', () => {
      valid(backendV2, { host: 'db', port: '5432' });
      expect(problemPaths(backendV2, { host: 'db', port: '54:32' })).to.deep.equal(['.port']);
    });
  });

  describe('CronJob schedules', () => {
    it('kills CronJob/v1-v2.ts:26 (macro looked up whatever the word count): a macro followed by more words is no macro', () => {
      expect(cronWords('@daily 5')).to.deep.equal(['@daily', '5']);
      expect(parseSchedule('@daily 5')).to.deep.equal({});
      expect(parseSchedule('@hourly 1 2 3 4')).to.deep.equal({
        minute: '@hourly',
        hour: '1',
        dayOfMonth: '2',
        month: '3',
        dayOfWeek: '4',
      });
    });

    it(
      'kills CronJob/v1-v2.ts:40 (words.length === 2 && words[0] === "@every" -> ||, or either side -> true): ' +
        'only exactly "@every <duration>" becomes every',
      () => {
        expect(parseSchedule('0 5')).to.deep.equal({});
        expect(parseSchedule('@every')).to.deep.equal({});
        expect(parseSchedule('@every 5m 1h')).to.deep.equal({});
      },
    );

    it('kills CronJob/v1-v2.ts:51 (typeof a === "string" -> true): a schedule that is not a string is never the same', () => {
      expect(sameSchedule(1, '0 * * * *')).to.equal(false);
      expect(sameSchedule(undefined, '@hourly')).to.equal(false);
    });
  });

  describe('CronJob schemas', () => {
    const jobTemplate = { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
    const status = {
      active: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: 'j',
          namespace: 'default',
          uid: 'u',
          resourceVersion: '1',
          fieldPath: 'f',
        },
      ],
      lastScheduleTime: '2026-11-02T03:04:05Z',
    };
    const common = {
      startingDeadlineSeconds: 0,
      concurrencyPolicy: 'Forbid',
      suspend: false,
      successfulJobsHistoryLimit: 0,
      failedJobsHistoryLimit: 0,
    };
    const broken = {
      startingDeadlineSeconds: -1,
      successfulJobsHistoryLimit: -1,
      failedJobsHistoryLimit: -1,
    };

    it(
      'kills CronJob/common.ts:23 (commonSpec = {}), :37 (objectReference = {}), :47 (status = {}): ' +
        'v1 and v2 hold every shared field, status and its object references',
      () => {
        valid(cronJobV1, { spec: { schedule: '0 1 * * 1-5', jobTemplate, ...common }, status });
        valid(cronJobV2, { spec: { schedule: { minute: '0', hour: '1' }, jobTemplate, ...common }, status });
      },
    );

    it(
      'kills CronJob/common.ts:24, :30, :31 (minimum: 0 options -> {}): negative deadlines and history limits ' +
        'are refused by both versions',
      () => {
        const paths = [
          '.spec.startingDeadlineSeconds',
          '.spec.successfulJobsHistoryLimit',
          '.spec.failedJobsHistoryLimit',
        ];
        expect(problemPaths(cronJobV1, { spec: { schedule: '@hourly', jobTemplate, ...broken } })).to.deep.equal(paths);
        expect(problemPaths(cronJobV2, { spec: { schedule: {}, jobTemplate, ...broken } })).to.deep.equal(paths);
      },
    );

    it('kills CronJob/common.ts:11 (DURATION = ""): "@every <duration>" is a v1 schedule and a v2 every', () => {
      valid(cronJobV1, { spec: { schedule: '@every 1h30m', jobTemplate } });
      valid(cronJobV2, { spec: { schedule: { every: '1.5s' }, jobTemplate } });
      expect(problemPaths(cronJobV2, { spec: { schedule: { every: '5' }, jobTemplate } })).to.deep.equal([
        '.spec.schedule.every',
      ]);
    });
  });

  describe('Database schemas', () => {
    const shared = {
      replicas: 100,
      port: 5432,
      parameters: { max_connections: '200' },
      users: [{ name: 'app', roles: ['read'] }, { name: 'audit' }],
      backupSchedule: null,
    };
    const status = { phase: 'Ready', observedGeneration: 9007199254740993n, endpoint: 'db:5432' };

    it(
      'kills Database/common.ts:4 (sharedSpec = {}), :12 (users item type -> {}), :13 (roles -> {}), ' +
        ':20 (status = {}), v1.ts:5 (maintenanceWindow day/startHour -> {}), v1.ts:17 (durationMinutes -> {}): ' +
        'every version holds the shared fields and status, v1 its maintenance window',
      () => {
        valid(databaseV1alpha1, { spec: { image: 'postgres:16', storageBytes: 0, ...shared }, status });
        valid(databaseV1beta1, { spec: { engine: 'postgres', storageBytes: 0, ...shared }, status });
        valid(databaseV1, {
          spec: {
            engine: 'postgres',
            capacityBytes: 0,
            ...shared,
            maintenanceWindow: { day: 'Sunday', startHour: 23, durationMinutes: 1440 },
          },
          status,
        });
      },
    );

    it(
      'kills Database/common.ts:5 (replicas bounds -> {}), :12 (user name minLength -> {}), v1.ts:15 ' +
        '(startHour bounds -> {}), v1.ts:17 (durationMinutes bounds -> {}): out-of-range values are refused',
      () => {
        const spec = {
          engine: 'postgres',
          capacityBytes: 0,
          replicas: 101,
          users: [{ name: '' }],
          maintenanceWindow: { day: 'Monday', startHour: 24, durationMinutes: 0 },
        };
        expect(problemPaths(databaseV1, { spec })).to.have.members([
          '.spec.replicas',
          '.spec.users[0].name',
          '.spec.maintenanceWindow.startHour',
          '.spec.maintenanceWindow.durationMinutes',
        ]);
        expect(problemPaths(databaseV1, { spec: { engine: 'pg', capacityBytes: 0, replicas: -1 } })).to.deep.equal([
          '.spec.replicas',
        ]);
        expect(
          problemPaths(databaseV1, {
            spec: {
              engine: 'pg',
              capacityBytes: 0,
              maintenanceWindow: { day: 'Monday', startHour: -1, durationMinutes: 1441 },
            },
          }),
        ).to.have.members(['.spec.maintenanceWindow.startHour', '.spec.maintenanceWindow.durationMinutes']);
      },
    );

    it(
      'kills Database/v1alpha1-v1beta1.ts:37, v1beta1-v1.ts:13 and :18 (x === undefined ? specRest : ... -> false): ' +
        'a partial spec without the field gets no key holding undefined',
      () => {
        const partial = { spec: { replicas: 2 } };
        for (const [list, from, to] of [
          [v1alpha1v1beta1, 'v1beta1', 'v1alpha1'],
          [v1beta1v1, 'v1beta1', 'v1'],
          [v1beta1v1, 'v1', 'v1beta1'],
        ] as const) {
          const spec = (fn(list, from, to)(partial) as { spec: object }).spec;
          expect(Object.keys(spec), `${from} -> ${to}`).to.deep.equal(['replicas']);
        }
      },
    );
  });
});
