import { expect } from 'chai';
import { logObserver } from '../../../src/server/http/logObserver.js';
import type { ReviewRecord } from '../../../src/server/http/observer.js';
import type { ObjectOutcome } from '../../../src/review/handleReview.js';
import { capturingLogger } from '../../support/service.js';

const answered: ReviewRecord = {
  uid: 'u-1',
  reviewVersion: 'v1',
  result: 'Success',
  httpStatus: 200,
  durationSeconds: 0.0015,
  requestBytes: 900,
  desiredAPIVersion: 'stable.example.com/v2',
  objects: [],
};

describe('log observer: one line per review', () => {
  it('logs an answered review at info, without connectionClosed', async () => {
    const logs = capturingLogger();
    logObserver(logs.logger).reviewFinished(answered);
    await logs.flushed();
    expect(logs.entries).to.have.length(1);
    expect(logs.entries[0]).to.include({
      msg: 'review',
      level: 'info',
      uid: 'u-1',
      result: 'Success',
      status: 200,
      durationMs: 1.5,
      bytes: 900,
    });
    expect(logs.entries[0]).not.to.have.property('connectionClosed');
  });

  it('warns when the connection closed before the answer was written, even for a successful conversion', async () => {
    const logs = capturingLogger();
    logObserver(logs.logger).reviewFinished({ ...answered, connectionClosed: true });
    await logs.flushed();
    expect(logs.entries[0]).to.include({
      msg: 'review',
      level: 'warn',
      uid: 'u-1',
      result: 'Success',
      connectionClosed: true,
    });
  });

  it('lists the kinds and versions of a review of 160,000 distinct kinds in linear time, the first 20 in the line', async function () {
    // A list search per object made this quadratic: 25 s here. Linear, it takes well under a second;
    // the bound is generous for a busy shared machine.
    this.timeout(60_000);
    const objects: ObjectOutcome[] = Array.from({ length: 160_000 }, (_, i) => ({
      kind: `Kind${i}`,
      from: `v${i}`,
      to: 'v2',
      ok: true,
      stash: 'none',
      object: `Kind${i} n`,
    }));
    const logs = capturingLogger();
    const started = performance.now();
    logObserver(logs.logger).reviewFinished({ ...answered, objects });
    const ms = performance.now() - started;
    await logs.flushed();
    expect(ms).to.be.below(10_000);
    const entry = logs.entries[0]!;
    expect(entry.kinds).to.deep.equal([...Array.from({ length: 20 }, (_, i) => `Kind${i}`), '... 159980 more']);
    expect(entry.from).to.have.length(21);
    expect(entry.objects).to.equal(160_000);
    expect(logs.lines[0]!.length).to.be.below(4_000);
  });

  it('lists each kind and version once, in the order first seen, past the first few too', async () => {
    const kinds = ['A', 'B', 'A', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'A', 'J', 'I', 'B', 'K'];
    const objects: ObjectOutcome[] = kinds.map((kind) => ({
      kind,
      from: kind === 'A' ? 'v1' : 'v2',
      to: 'v3',
      ok: true,
      stash: 'none',
      object: `${kind} n`,
    }));
    const logs = capturingLogger();
    logObserver(logs.logger).reviewFinished({ ...answered, objects });
    await logs.flushed();
    expect(logs.entries[0]!.kinds).to.deep.equal(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K']);
    expect(logs.entries[0]!.from).to.deep.equal(['v1', 'v2']);
  });
});
