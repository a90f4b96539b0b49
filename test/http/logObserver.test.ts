import { expect } from 'chai';
import { logObserver } from '../../src/http/logObserver.js';
import type { ReviewRecord } from '../../src/http/observer.js';
import { capturingLogger } from '../support/service.js';

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
});
