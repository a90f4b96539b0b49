import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { clientNodeApi } from '../../src/migrate/kubeApi.js';
import type { ProgressReporter } from '../../src/migrate/progress.js';
import type { Clock } from '../../src/migrate/rateLimit.js';
import { rateLimited } from '../../src/migrate/rateLimit.js';
import { defaultMigrateOptions, runMigration, type MigrateOptions } from '../../src/migrate/runMigration.js';
import { loadState } from '../../src/migrate/state.js';
import { exitCode, formatSummary, type MigrationSummary } from '../../src/migrate/summary.js';
import {
  FakeKubeApi,
  beforeNthList,
  beforeNthWrite,
  conflictOnWritesTo,
  deleteWhenWriting,
  failNthWrite,
  failWritesTo,
  twoVersionCrd,
} from '../support/fakeKubeApi.js';

/** Real time, but waits (backoff, Retry-After) return at once and are recorded. */
const instantClock = (): Clock & { sleeps: number[] } => {
  const sleeps: number[] = [];
  return { now: () => Date.now(), sleep: async (ms) => void sleeps.push(ms), sleeps };
};

const recordingReporter = () => {
  const events: { type: string; key?: string; outcome?: string; message?: string }[] = [];
  const reporter: ProgressReporter = {
    start: () => events.push({ type: 'start' }),
    object: (key, r) => events.push({ type: 'object', key, outcome: r.outcome }),
    page: () => events.push({ type: 'page' }),
    notice: (message) => events.push({ type: 'notice', message }),
    end: () => events.push({ type: 'end' }),
  };
  return { reporter, events };
};

const CRD = 'crontabs.stable.example.com';

describe('migrate: runMigration against a fake apiserver', () => {
  let fake: FakeKubeApi;
  let dir: string;
  let stateFile: string;

  const start = async (scope: 'Namespaced' | 'Cluster' = 'Namespaced') => {
    fake = await FakeKubeApi.start(twoVersionCrd({ scope }));
  };

  /** Objects obj-00..obj-N spread over three namespaces (or cluster-scoped), mostly stored in v1. */
  const seed = (n: number) => {
    const keys: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = `obj-${String(i).padStart(2, '0')}`;
      const namespace = fake.namespaced ? ['alpha', 'beta', 'gamma'][i % 3] : undefined;
      fake.addObject({
        name,
        ...(namespace ? { namespace } : {}),
        storedVersion: i % 4 === 3 ? 'v2' : 'v1',
        fields: { hostPort: `h${i}:80` },
      });
      keys.push(FakeKubeApi.key(namespace, name));
    }
    return keys.sort();
  };

  const migrate = async (options: Partial<MigrateOptions> = {}, signal?: AbortSignal) => {
    const rec = recordingReporter();
    const clock = instantClock();
    const summary = await runMigration(
      { ...defaultMigrateOptions, crdName: CRD, pageSize: 3, stateFile, ...options },
      { api: clientNodeApi(fake.kubeConfig()), progress: rec.reporter, clock, ...(signal ? { signal } : {}) },
    );
    return { summary, events: rec.events, clock };
  };

  const objectWrites = () => fake.requestsOf('objects', 'patch');
  const writtenKeys = () => objectWrites().map((r) => FakeKubeApi.key(r.namespace, r.name ?? ''));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crdconv-migrate-'));
    stateFile = join(dir, 'state.json');
  });
  afterEach(async () => {
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rewrites every namespaced object over several pages, then trims storedVersions', async () => {
    await start('Namespaced');
    const keys = seed(10);
    const { summary } = await migrate();

    expect(summary.end).to.equal('completed');
    expect(summary.counts).to.deep.equal({ rewritten: 10, skipped: 0, failed: 0, conflicts: 0 });
    expect(fake.storedVersionCounts()).to.deep.equal({ v2: 10 });
    expect(fake.storedVersions).to.deep.equal(['v2']);
    expect(summary.storedVersionsBefore).to.deep.equal(['v1', 'v2']);
    expect(summary.storedVersionsAfter).to.deep.equal(['v2']);
    expect(exitCode(summary)).to.equal(0);
    // Four pages of at most three, in the storage version, following the continue tokens.
    const lists = fake.requestsOf('objects', 'list');
    expect(lists).to.have.length(4);
    expect(lists.every((r) => r.version === 'v2' && r.query.get('limit') === '3')).to.equal(true);
    expect(lists[0]!.query.has('continue')).to.equal(false);
    expect(lists.slice(1).every((r) => r.query.has('continue'))).to.equal(true);
    // Each object written once, in list order, at its namespaced path, with a merge patch that
    // carries nothing but its resourceVersion.
    expect(writtenKeys()).to.deep.equal(keys);
    for (const w of objectWrites()) {
      expect(w.path).to.match(/^\/apis\/stable\.example\.com\/v2\/namespaces\/(alpha|beta|gamma)\/crontabs\/obj-\d\d$/);
      expect(w.contentType).to.equal('application/merge-patch+json');
      expect(Object.keys(w.body as object)).to.deep.equal(['metadata']);
      expect(Object.keys((w.body as { metadata: object }).metadata)).to.deep.equal(['resourceVersion']);
      expect(w.query.has('dryRun')).to.equal(false);
    }
    // The trim went to the status subresource, guarded by the CRD's resourceVersion at the start.
    const trims = fake.requestsOf('crd-status', 'patch');
    expect(trims).to.have.length(1);
    expect(trims[0]!.body).to.deep.include({ status: { storedVersions: ['v2'] } });
    expect((trims[0]!.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion).to.match(/^\d+$/);
    expect(existsSync(stateFile), 'state file removed after a complete run').to.equal(false);
    expect(formatSummary(summary)).to.contain('rewritten: 10').and.contain('[v1, v2] -> [v2]');
  });

  it('rewrites cluster-scoped objects at their cluster path', async () => {
    await start('Cluster');
    const keys = seed(7);
    const { summary } = await migrate({ pageSize: 2 });

    expect(summary.counts.rewritten).to.equal(7);
    expect(fake.requestsOf('objects', 'list')).to.have.length(4);
    expect(writtenKeys()).to.deep.equal(keys);
    expect(objectWrites().every((w) => /^\/apis\/stable\.example\.com\/v2\/crontabs\/obj-\d\d$/.test(w.path))).to.equal(
      true,
    );
    expect(fake.storedVersionCounts()).to.deep.equal({ v2: 7 });
    expect(fake.storedVersions).to.deep.equal(['v2']);
  });

  it('re-reads and retries after a conflict', async () => {
    await start();
    const keys = seed(5);
    const contested = keys[2]!;
    fake.hooks.push(conflictOnWritesTo(contested, 2));
    const { summary } = await migrate();

    expect(summary.counts).to.deep.equal({ rewritten: 5, skipped: 0, failed: 0, conflicts: 2 });
    expect(writtenKeys().filter((k) => k === contested)).to.have.length(3);
    const rereads = fake.requestsOf('objects', 'get').map((r) => FakeKubeApi.key(r.namespace, r.name ?? ''));
    expect(rereads).to.deep.equal([contested, contested]);
    // The last attempt carried the resourceVersion the re-read returned.
    const last = objectWrites()
      .filter((w) => FakeKubeApi.key(w.namespace, w.name ?? '') === contested)
      .pop()!;
    expect((last.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion).to.equal(
      fake.object(contested)!.resourceVersion,
    );
    expect(fake.storedVersions).to.deep.equal(['v2']);
  });

  it('counts an object that keeps conflicting as failed, and does not trim', async () => {
    await start();
    const keys = seed(4);
    fake.hooks.push(conflictOnWritesTo(keys[1]!, 100));
    const { summary } = await migrate({ maxConflictRetries: 3 });

    expect(summary.counts).to.include({ rewritten: 3, failed: 1, conflicts: 3 });
    expect(summary.trim.status).to.equal('skipped');
    expect(fake.storedVersions).to.deep.equal(['v1', 'v2']);
    expect(exitCode(summary)).to.equal(1);
  });

  it('skips objects deleted during the run, before the write or after a conflict', async () => {
    await start();
    const keys = seed(6);
    // Same page (pageSize 6): keys[3] vanishes when keys[0] is written; keys[5] conflicts and is
    // deleted before the re-read.
    fake.hooks.push(deleteWhenWriting(keys[0]!, keys[3]!));
    fake.hooks.push(conflictOnWritesTo(keys[5]!, 1), (r, f) => {
      if (r.verb === 'get' && FakeKubeApi.key(r.namespace, r.name ?? '') === keys[5]) f.deleteObject(keys[5]!);
      return undefined;
    });
    const { summary, events } = await migrate({ pageSize: 6 });

    expect(summary.counts).to.deep.equal({ rewritten: 4, skipped: 2, failed: 0, conflicts: 1 });
    expect(events.filter((e) => e.outcome === 'skipped').map((e) => e.key)).to.deep.equal([keys[3], keys[5]]);
    // Deleted objects need no migration: the trim goes ahead.
    expect(fake.storedVersions).to.deep.equal(['v2']);
    expect(exitCode(summary)).to.equal(0);
  });

  it('counts server errors as failed, goes on, exits non-zero and does not trim', async () => {
    await start();
    seed(8);
    fake.hooks.push(failNthWrite(3), failWritesTo(fake.objects.keys().next().value as string, 422));
    const { summary } = await migrate();

    expect(summary.counts).to.deep.equal({ rewritten: 6, skipped: 0, failed: 2, conflicts: 0 });
    expect(objectWrites()).to.have.length(8);
    expect(fake.requestsOf('crd-status', 'patch'), 'no trim attempted').to.have.length(0);
    expect(fake.storedVersions).to.deep.equal(['v1', 'v2']);
    expect(summary.trim).to.deep.equal({ status: 'skipped', reason: '2 object(s) failed' });
    expect(exitCode(summary)).to.equal(1);
    expect(formatSummary(summary)).to.contain('failed:    2').and.contain('not trimmed');
  });

  it('does not trim when the CRD changed during the run', async () => {
    await start();
    seed(6);
    fake.hooks.push(
      beforeNthWrite(4, (f) =>
        f.updateCrd((crd) => {
          const spec = crd.spec as { versions: object[] };
          spec.versions.push({
            name: 'v3',
            served: true,
            storage: false,
            schema: { openAPIV3Schema: { type: 'object' } },
          });
        }),
      ),
    );
    const { summary } = await migrate();

    expect(summary.counts.rewritten).to.equal(6);
    expect(fake.requestsOf('crd-status', 'patch')).to.have.length(1);
    expect(summary.trim.status).to.equal('crd-changed');
    expect(fake.storedVersions).to.deep.equal(['v1', 'v2']);
    expect(exitCode(summary)).to.equal(1);
    expect(formatSummary(summary)).to.contain('NOT trimmed').and.contain('the CRD changed since the run began');
  });

  it('writes nothing in a dry run, but sends every write and the trim with dryRun=All', async () => {
    await start();
    seed(7);
    const before = fake.storedVersionCounts();
    const resourceVersions = [...fake.objects.keys()].map((k) => fake.object(k)!.resourceVersion);
    const { summary } = await migrate({ dryRun: true });

    expect(summary.dryRun).to.equal(true);
    expect(summary.counts.rewritten).to.equal(7);
    expect(fake.persistedWrites).to.equal(0);
    expect(fake.storedVersionCounts()).to.deep.equal(before);
    expect([...fake.objects.keys()].map((k) => fake.object(k)!.resourceVersion)).to.deep.equal(resourceVersions);
    expect(objectWrites().every((w) => w.query.get('dryRun') === 'All')).to.equal(true);
    const trims = fake.requestsOf('crd-status', 'patch');
    expect(trims).to.have.length(1);
    expect(trims[0]!.query.get('dryRun')).to.equal('All');
    expect(fake.storedVersions).to.deep.equal(['v1', 'v2']);
    expect(summary.storedVersionsAfter).to.deep.equal(['v1', 'v2']);
    expect(existsSync(stateFile), 'a dry run leaves no state file').to.equal(false);
    expect(formatSummary(summary)).to.contain('would rewrite: 7').and.contain('would become [v2]');
  });

  it('does nothing when storedVersions already holds only the storage version', async () => {
    await start();
    seed(3);
    fake.updateCrd((crd) => void (crd.status = { storedVersions: ['v2'] }));
    const { summary } = await migrate();

    expect(summary.end).to.equal('nothing-to-do');
    expect(fake.requestsOf('objects', 'list')).to.have.length(0);
    expect(exitCode(summary)).to.equal(0);
    // --force rewrites anyway; the trim is then not needed.
    const forced = await migrate({ force: true });
    expect(forced.summary.counts.rewritten).to.equal(3);
    expect(forced.summary.trim.status).to.equal('not-needed');
  });

  describe('interruption and resume', () => {
    const interruptAtWrite = async (n: number) => {
      const controller = new AbortController();
      fake.hooks.push(beforeNthWrite(n, () => controller.abort()));
      return migrate({}, controller.signal);
    };

    it('saves its place on interruption and goes on from it', async () => {
      await start();
      const keys = seed(10);
      const first = await interruptAtWrite(5);

      expect(first.summary.end).to.equal('interrupted');
      expect(exitCode(first.summary)).to.equal(130);
      expect(first.summary.counts.rewritten).to.equal(5);
      expect(fake.storedVersions, 'no trim after an interruption').to.deep.equal(['v1', 'v2']);
      const saved = loadState(stateFile)!;
      expect(saved.lastKey).to.equal(keys[4]);
      expect(saved.counts.rewritten).to.equal(5);
      expect(formatSummary(first.summary)).to.contain(`progress saved in ${stateFile}`);

      fake.hooks = [];
      const second = await migrate();
      expect(second.summary.resumed).to.equal(true);
      expect(second.summary.end).to.equal('completed');
      expect(second.summary.counts.rewritten).to.equal(10);
      // No object written twice over the two runs, none left out.
      expect(writtenKeys()).to.deep.equal(keys);
      expect(fake.storedVersionCounts()).to.deep.equal({ v2: 10 });
      expect(fake.storedVersions).to.deep.equal(['v2']);
      expect(existsSync(stateFile)).to.equal(false);
    });

    it('restarts the list when the saved continue token expired, skipping what was done', async () => {
      await start();
      const keys = seed(10);
      await interruptAtWrite(7);
      fake.hooks = [];
      fake.compact();
      const { summary, events } = await migrate();

      expect(summary.counts.rewritten).to.equal(10);
      expect(writtenKeys()).to.deep.equal(keys);
      expect(events.some((e) => e.message?.includes('restarting the list'))).to.equal(true);
      const lists = fake.requestsOf('objects', 'list');
      expect(
        lists.some((r) => !r.query.has('continue') && lists.indexOf(r) > 0),
        'a list from the start after the 410',
      ).to.equal(true);
      expect(fake.storedVersions).to.deep.equal(['v2']);
    });

    it('goes on with the continue token a 410 offers', async () => {
      await start();
      const keys = seed(10);
      fake.offerInconsistentContinue = true;
      await interruptAtWrite(4);
      fake.hooks = [];
      fake.compact();
      const { summary, events } = await migrate();

      expect(summary.counts.rewritten).to.equal(10);
      expect(writtenKeys()).to.deep.equal(keys);
      expect(events.some((e) => e.message?.includes('token the apiserver offered'))).to.equal(true);
      expect(fake.storedVersions).to.deep.equal(['v2']);
    });

    it('starts over when the CRD changed since the interrupted run', async () => {
      await start();
      seed(6);
      await interruptAtWrite(2);
      fake.hooks = [];
      fake.updateCrd((crd) => void ((crd.metadata as { labels?: object }).labels = { touched: 'yes' }));
      const { summary, events } = await migrate();

      expect(summary.resumed).to.equal(false);
      expect(events.some((e) => e.message?.includes('the CRD changed since that run began'))).to.equal(true);
      expect(summary.counts.rewritten).to.equal(6);
      expect(fake.storedVersions).to.deep.equal(['v2']);
    });

    it('refuses a damaged state file instead of starting over silently', async () => {
      await start();
      seed(2);
      writeFileSync(stateFile, '{"version": 1, "crd": 5}');
      let error: Error | undefined;
      await migrate().catch((e: Error) => (error = e));
      expect(error?.message).to.contain('is not a crdconv migrate state');
      expect(objectWrites()).to.have.length(0);
    });
  });

  it('handles a continue token expiring between pages', async () => {
    await start();
    const keys = seed(9);
    fake.hooks.push(beforeNthList(2, (f) => f.compact()));
    const { summary } = await migrate();

    expect(summary.counts.rewritten).to.equal(9);
    expect(writtenKeys()).to.deep.equal(keys);
    expect(fake.storedVersions).to.deep.equal(['v2']);
  });

  it('stops and keeps its place when listing keeps failing (a conversion webhook down)', async () => {
    await start();
    seed(6);
    // Page 2 holds an object the webhook cannot convert: the apiserver fails the whole list.
    fake.conversionFailure = (object) =>
      (object.metadata as { name: string }).name === 'obj-04' ? 'connection refused' : undefined;
    const { summary, clock } = await migrate({ maxListRetries: 2 });

    expect(summary.end).to.equal('list-failed');
    expect(summary.error).to.contain(
      'conversion webhook for stable.example.com/v1, Kind=CronTab failed: connection refused',
    );
    expect(clock.sleeps).to.deep.equal([1000, 2000]);
    expect(exitCode(summary)).to.equal(1);
    expect(fake.storedVersions).to.deep.equal(['v1', 'v2']);
    expect(loadState(stateFile)?.counts.rewritten).to.equal(3);
    expect(formatSummary(summary)).to.contain('stopped:');

    // Fixed webhook: the next run goes on from page 2.
    fake.conversionFailure = undefined;
    const again = await migrate();
    expect(again.summary.resumed).to.equal(true);
    expect(again.summary.counts.rewritten).to.equal(6);
    expect(fake.storedVersions).to.deep.equal(['v2']);
  });

  it('takes a rate-limiter token before every request', async () => {
    await start();
    seed(5);
    let tokens = 0;
    const api = rateLimited(clientNodeApi(fake.kubeConfig()), { take: async () => void (tokens += 1) });
    const summary: MigrationSummary = await runMigration(
      { ...defaultMigrateOptions, crdName: CRD, pageSize: 2, stateFile },
      { api, progress: recordingReporter().reporter, clock: instantClock() },
    );
    expect(summary.counts.rewritten).to.equal(5);
    expect(tokens).to.equal(fake.requests.length);
    expect(tokens).to.equal(1 + 3 + 5 + 1); // CRD, three pages, five writes, the trim
  });

  it('reads a state file it wrote itself as JSON a person can inspect', async () => {
    await start();
    seed(4);
    const controller = new AbortController();
    fake.hooks.push(beforeNthWrite(1, () => controller.abort()));
    await migrate({}, controller.signal);
    const raw = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
    expect(raw).to.include({ version: 1, crd: CRD, storageVersion: 'v2' });
    expect(raw.storedVersionsBefore).to.deep.equal(['v1', 'v2']);
  });
});
