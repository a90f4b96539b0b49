import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { ApiException } from '@kubernetes/client-node';
import { apiFailure, describeFailure, isTransient } from '../../src/migrate/apiErrors.js';
import { jsonDiff } from '../../src/migrate/check/jsonDiff.js';
import { checkStoredVersions, conversionOf } from '../../src/migrate/check/compareCrd.js';
import { crdInfo, storedVersionsNeedTrim } from '../../src/migrate/crdInfo.js';
import type { MigrationApi } from '../../src/migrate/kubeApi.js';
import { backoffMs } from '../../src/migrate/listPages.js';
import { alreadyHandled, objectKey } from '../../src/migrate/objectKey.js';
import { barReporter, jsonLinesReporter, renderBar } from '../../src/migrate/progress.js';
import { reserveToken, TokenBucket, type Clock } from '../../src/migrate/rateLimit.js';
import { rewriteObject } from '../../src/migrate/rewriteObject.js';
import { freshState, loadState, saveState, whyNotResumable, zeroCounts } from '../../src/migrate/state.js';
import { exitCode, type MigrationSummary } from '../../src/migrate/summary.js';
import { FakeKubeApi } from '../support/fakeKubeApi.js';

const statusException = (
  code: number,
  reason: string,
  message: string,
  extra: object = {},
  headers: Record<string, string> = {},
) =>
  new ApiException(
    code,
    'Unknown API Status Code!',
    JSON.stringify({ kind: 'Status', code, reason, message, ...extra }),
    headers,
  );

/** A clock that only moves when slept on. */
const manualClock = (): Clock & { t: number } => {
  const c = { t: 0, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
  return c;
};

describe('migrate: pure parts', () => {
  describe('apiFailure', () => {
    it('reads the apiserver Status out of a client-node ApiException', () => {
      const f = apiFailure(
        statusException(410, 'Expired', 'too old', { metadata: { continue: 'next' } }, { 'Retry-After': '3' }),
      );
      expect(f).to.deep.equal({
        code: 410,
        reason: 'Expired',
        message: 'too old',
        continueToken: 'next',
        retryAfterSeconds: 3,
      });
      expect(describeFailure(f)).to.equal('HTTP 410 Expired: too old');
    });

    it('treats transport errors as transient, with their first line as message', () => {
      const f = apiFailure(new Error('request to http://x failed, reason: connect ECONNREFUSED\nstack'));
      expect(f.code).to.equal(undefined);
      expect(f.message).to.equal('request to http://x failed, reason: connect ECONNREFUSED');
      expect(isTransient(f)).to.equal(true);
      expect(isTransient(apiFailure(statusException(422, 'Invalid', 'bad')))).to.equal(false);
    });

    it('copes with a body that is not a Status', () => {
      const f = apiFailure(new ApiException(502, 'x', '<html>bad gateway</html>', {}));
      expect(f).to.include({ code: 502, message: 'HTTP 502', reason: undefined });
    });
  });

  describe('crdInfo', () => {
    const crd = (versions: { name: string; served: boolean; storage: boolean }[], storedVersions: string[]) => ({
      metadata: { name: 'a.b', uid: 'u', resourceVersion: '9' },
      spec: { group: 'b', names: { kind: 'A', plural: 'as' }, scope: 'Cluster', versions },
      status: { storedVersions, acceptedNames: { kind: 'A', plural: 'as' }, conditions: [] },
    });

    it('finds the storage version and whether storedVersions needs trimming', () => {
      const info = crdInfo(
        crd(
          [
            { name: 'v1', served: true, storage: false },
            { name: 'v2', served: true, storage: true },
          ],
          ['v1', 'v2'],
        ),
      );
      expect(info).to.include({ storageVersion: 'v2', namespaced: false, resourceVersion: '9' });
      expect(storedVersionsNeedTrim(info)).to.equal(true);
      expect(storedVersionsNeedTrim({ storageVersion: 'v2', storedVersions: ['v2'] })).to.equal(false);
    });

    it('refuses a CRD whose storage version cannot be listed', () => {
      expect(() => crdInfo(crd([{ name: 'v1', served: false, storage: true }], ['v1']))).to.throw('is not served');
      expect(() => crdInfo(crd([{ name: 'v1', served: true, storage: false }], ['v1']))).to.throw('0 storage versions');
    });
  });

  describe('object keys', () => {
    it('orders keys the way the fake (and etcd) lists them', () => {
      const keys = ['a/z', 'a-b/c', 'a/b', 'ab/a', 'a0/x'];
      const sorted = [...keys].sort();
      expect(sorted).to.deep.equal(['a-b/c', 'a/b', 'a/z', 'a0/x', 'ab/a']);
      expect(alreadyHandled('a-b/c', 'a/b')).to.equal(true);
      expect(alreadyHandled('a/z', 'a/b')).to.equal(false);
      expect(alreadyHandled('a/z', undefined)).to.equal(false);
      expect(objectKey({ namespace: 'n', name: 'x' })).to.equal(FakeKubeApi.key('n', 'x'));
      expect(objectKey({ name: 'x' })).to.equal('x');
    });
  });

  describe('rate limit', () => {
    it('spends a burst at once, then one token per 1/qps seconds', () => {
      let state = { tokens: 2, at: 0 };
      const waits: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = reserveToken(state, 0, 10, 2);
        state = r.state;
        waits.push(r.waitMs);
      }
      expect(waits.map(Math.round)).to.deep.equal([0, 0, 100, 200, 300]);
      // After a long pause the bucket is full again, not fuller than the burst.
      expect(reserveToken({ tokens: 0, at: 0 }, 60_000, 10, 2).state.tokens).to.equal(1);
    });

    it('holds a TokenBucket to its rate', async () => {
      const clock = manualClock();
      const bucket = new TokenBucket(20, 1, clock);
      for (let i = 0; i < 41; i++) await bucket.take();
      expect(clock.t).to.be.closeTo(2000, 1e-6);
      expect(() => new TokenBucket(0)).to.throw('qps must be a positive number');
    });
  });

  it('backs off exponentially, capped, unless the server says when', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffMs(a, undefined))).to.deep.equal([1000, 2000, 4000, 8000, 30_000]);
    expect(backoffMs(4, 2)).to.equal(2000);
  });

  describe('rewriteObject', () => {
    const target = { group: 'g', version: 'v2', plural: 'xs', namespaced: true };
    const stubApi = (errors: unknown[], onWrite: (rv: string) => void = () => {}): MigrationApi => ({
      readCrd: () => Promise.reject(new Error('unused')),
      listObjects: () => Promise.reject(new Error('unused')),
      readResourceVersion: async () => 'fresh',
      rewriteObject: async (_t, _r, rv) => {
        onWrite(rv);
        const e = errors.shift();
        if (e) throw e;
      },
      setStoredVersions: () => Promise.reject(new Error('unused')),
    });

    it('waits as told after 429 and tries again', async () => {
      const clock = manualClock();
      const api = stubApi([statusException(429, 'TooManyRequests', 'slow down', {}, { 'retry-after': '2' })]);
      const r = await rewriteObject(
        api,
        target,
        { name: 'a', namespace: 'n', resourceVersion: '1' },
        { dryRun: false, maxConflictRetries: 1, maxThrottleRetries: 3, clock },
      );
      expect(r).to.deep.equal({ outcome: 'rewritten', conflicts: 0 });
      expect(clock.t).to.equal(2000);
    });

    it('writes with the re-read resourceVersion after a conflict', async () => {
      const rvs: string[] = [];
      const api = stubApi([statusException(409, 'Conflict', 'modified')], (rv) => rvs.push(rv));
      const r = await rewriteObject(
        api,
        target,
        { name: 'a', namespace: 'n', resourceVersion: '1' },
        { dryRun: false, maxConflictRetries: 1, maxThrottleRetries: 0, clock: manualClock() },
      );
      expect(r).to.deep.equal({ outcome: 'rewritten', conflicts: 1 });
      expect(rvs).to.deep.equal(['1', 'fresh']);
    });

    it('fails with the apiserver words on anything else', async () => {
      const api = stubApi([statusException(500, 'InternalError', 'etcd down')]);
      const r = await rewriteObject(
        api,
        target,
        { name: 'a', resourceVersion: '1' },
        { dryRun: false, maxConflictRetries: 1, maxThrottleRetries: 0, clock: manualClock() },
      );
      expect(r).to.deep.equal({ outcome: 'failed', conflicts: 0, reason: 'HTTP 500 InternalError: etcd down' });
    });
  });

  describe('progress', () => {
    const snapshot = (rewritten: number, total?: number) => ({
      counts: { ...zeroCounts(), rewritten, failed: 1 },
      total,
    });

    it('renders a bar when the total is known, a count otherwise', () => {
      expect(renderBar(snapshot(49, 100), 12.34, 10)).to.equal(
        '[#####-----] 50% 50/100 · 49 rewritten · 0 skipped · 1 failed · 12.3/s',
      );
      expect(renderBar(snapshot(4), 1)).to.equal('5 objects · 4 rewritten · 0 skipped · 1 failed · 1.0/s');
    });

    it('draws the bar in place on a terminal and prints failures on their own line', () => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (c: Buffer) => (text += c.toString()));
      let t = 0;
      const bar = barReporter(out, () => t, 100);
      bar.start({ crd: 'x', storageVersion: 'v2', dryRun: false, resumed: false }, snapshot(0, 3));
      t = 200;
      bar.object('ns/a', { outcome: 'rewritten', conflicts: 0 }, snapshot(1, 3));
      bar.object('ns/b', { outcome: 'failed', conflicts: 0, reason: 'HTTP 500: boom' }, snapshot(1, 3));
      bar.end(snapshot(2, 3));
      expect(text).to.contain('rewriting every x in storage version v2\n');
      expect(text).to.contain('\r[');
      expect(text).to.contain('\r\x1b[Kfailed ns/b: HTTP 500: boom\n');
      expect(text.endsWith('\n')).to.equal(true);
    });

    it('writes one JSON object per line for logs', () => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (c: Buffer) => (text += c.toString()));
      const json = jsonLinesReporter(out, () => 0, 5000);
      json.start({ crd: 'x', storageVersion: 'v2', dryRun: true, resumed: false }, snapshot(0));
      json.object('ns/b', { outcome: 'skipped', conflicts: 0, reason: 'deleted during the run' }, snapshot(1));
      json.page(snapshot(2, 2));
      const events = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(events.map((e) => e.event)).to.deep.equal(['start', 'skipped', 'progress']);
      expect(events[1]).to.include({ object: 'ns/b', reason: 'deleted during the run', crd: 'x' });
      expect(events[2]).to.include({ rewritten: 2, failed: 1, processed: 3, total: 2 });
    });
  });

  describe('state file', () => {
    const info = {
      name: 'c',
      uid: 'u',
      resourceVersion: '5',
      group: 'g',
      plural: 'p',
      kind: 'K',
      namespaced: true,
      storageVersion: 'v2',
      servedVersions: ['v1', 'v2'],
      storedVersions: ['v1', 'v2'],
    };

    it('round-trips through the file and knows when it no longer applies', () => {
      const dir = mkdtempSync(join(tmpdir(), 'crdconv-state-'));
      try {
        const file = join(dir, 's.json');
        const state = { ...freshState(info, new Date(0)), continueToken: 'tok', lastKey: 'ns/a' };
        saveState(file, state);
        expect(loadState(file)).to.deep.equal(state);
        expect(loadState(join(dir, 'none.json'))).to.equal(undefined);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const state = freshState(info, new Date(0));
      expect(whyNotResumable(state, info)).to.equal(undefined);
      expect(whyNotResumable(state, { ...info, uid: 'other' })).to.contain('deleted and created again');
      expect(whyNotResumable(state, { ...info, storageVersion: 'v3' })).to.contain('from v2 to v3');
      expect(whyNotResumable(state, { ...info, resourceVersion: '6' })).to.contain('the CRD changed');
    });
  });

  it('exit status: 0 done, 1 anything left undone, 130 interrupted', () => {
    const base: MigrationSummary = {
      crd: 'c',
      storageVersion: 'v2',
      dryRun: false,
      resumed: false,
      end: 'completed',
      counts: zeroCounts(),
      storedVersionsBefore: ['v1', 'v2'],
      storedVersionsAfter: ['v2'],
      trim: { status: 'trimmed', after: ['v2'] },
      stateFile: undefined,
      error: undefined,
    };
    expect(exitCode(base)).to.equal(0);
    expect(exitCode({ ...base, end: 'interrupted' })).to.equal(130);
    expect(exitCode({ ...base, end: 'list-failed' })).to.equal(1);
    expect(exitCode({ ...base, counts: { ...zeroCounts(), failed: 1 } })).to.equal(1);
    expect(exitCode({ ...base, trim: { status: 'crd-changed', message: 'x' } })).to.equal(1);
    expect(exitCode({ ...base, trim: { status: 'skipped', reason: '--no-trim' } })).to.equal(0);
  });

  describe('check helpers', () => {
    it('diffs JSON by path, objects unordered, arrays in order', () => {
      expect(jsonDiff({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).to.deep.equal([]);
      expect(jsonDiff({ a: { 'x.y': 1 }, b: [1, 2] }, { a: { 'x.y': 2 }, b: [2, 1], c: null })).to.deep.equal([
        { path: '.a["x.y"]', left: 1, right: 2 },
        { path: '.b[0]', left: 1, right: 2 },
        { path: '.b[1]', left: 2, right: 1 },
        { path: '.c', left: undefined, right: null },
      ]);
      expect(jsonDiff(1, 2)).to.deep.equal([{ path: '(root)', left: 1, right: 2 }]);
    });

    it('fills in the apiserver defaults of the conversion settings', () => {
      expect(conversionOf({ spec: {} }).strategy).to.equal('None');
      const c = conversionOf({
        spec: {
          conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 's', namespace: 'n' } } } },
        },
      });
      expect(c.service).to.deep.equal({ name: 's', namespace: 'n', path: '/', port: 443 });
    });

    it('says a stored version missing from spec.versions is a problem', () => {
      const f = checkStoredVersions(
        { spec: { versions: [{ name: 'v2', served: true, storage: true }] }, status: { storedVersions: ['v1', 'v2'] } },
        'c',
      );
      expect(f).to.deep.equal([
        { level: 'problem', message: 'status.storedVersions lists v1, which is not in spec.versions' },
      ]);
    });
  });
});
