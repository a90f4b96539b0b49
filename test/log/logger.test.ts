import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import fc from 'fast-check';
import winston from 'winston';
import { createLogger, isoTimestamp, logEntry } from '../../src/log.js';

/** A stream that records every write call it gets. */
function recordingStream() {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, writes };
}

const parseLines = (writes: readonly string[]) =>
  writes
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('log: the JSON line logger', () => {
  it('writes one flat JSON object per entry: message text, level, timestamp, fields top-level, in order', async () => {
    const { stream, writes } = recordingStream();
    const logger = createLogger('info', stream);
    logger.info({ msg: 'review', uid: 'u-1', objects: 2, kinds: ['Backend'] });
    logger.warn({ message: 'review', uid: 'u-2', result: 'Failure' });
    logger.debug({ msg: 'not at info' });
    await nextTurn();
    const [first, second, ...rest] = parseLines(writes);
    expect(rest).to.have.length(0);
    expect(first).to.include({ message: 'review', level: 'info', uid: 'u-1', objects: 2 });
    expect(first!.kinds).to.deep.equal(['Backend']);
    expect(first).not.to.have.property('msg');
    expect(new Date(first!.timestamp as string).toISOString()).to.equal(first!.timestamp);
    expect(Object.keys(second!)).to.deep.equal(['message', 'uid', 'result', 'level', 'timestamp']);
  });

  it('stamps times exactly as Date.toISOString, also across seconds and back and forth in time', () => {
    // Times in any order: the per-second cache must never serve another second's prefix.
    const times = fc.oneof(
      fc.integer({ min: 0, max: 253_402_300_799_999 }),
      fc.integer({ min: 1_790_000_000_000, max: 1_790_000_003_000 }),
    );
    fc.assert(
      fc.property(fc.array(times, { minLength: 1, maxLength: 20 }), (ms) => {
        for (const t of ms) expect(isoTimestamp(t)).to.equal(new Date(t).toISOString());
      }),
      { numRuns: 300 },
    );
    for (const t of [
      0, 999, 1000, 1001, 59_999, 60_000, 1_790_000_000_009, 1_790_000_000_010, 1_790_000_000_099, 1_790_000_000_100,
    ]) {
      expect(isoTimestamp(t)).to.equal(new Date(t).toISOString());
    }
  });

  it('writes the lines of one event-loop turn in one write, after the turn', async () => {
    const { stream, writes } = recordingStream();
    const logger = createLogger('info', stream);
    for (let i = 0; i < 50; i++) logger.info({ msg: 'review', i });
    expect(writes, 'nothing before the turn ends').to.have.length(0);
    await nextTurn();
    expect(writes).to.have.length(1);
    expect(parseLines(writes).map((e) => e.i)).to.deep.equal([...Array(50).keys()]);
    logger.info({ msg: 'next turn' });
    await nextTurn();
    expect(writes).to.have.length(2);
  });

  it('writes at once when a burst exceeds 64 KiB, keeping the order', async () => {
    const { stream, writes } = recordingStream();
    const logger = createLogger('info', stream);
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < 100; i++) logger.info({ msg: 'burst', i, filler });
    expect(writes.length, 'written before the turn ended').to.be.at.least(1);
    await nextTurn();
    expect(parseLines(writes).map((e) => e.i)).to.deep.equal([...Array(100).keys()]);
  });

  it("still logs entries JSON.stringify refuses (a bigint), through winston's own serializer", async () => {
    const { stream, writes } = recordingStream();
    const logger = createLogger('info', stream);
    logger.info({ msg: 'big', value: 2n ** 64n });
    await nextTurn();
    const [entry] = parseLines(writes);
    expect(entry).to.include({ message: 'big', value: '18446744073709551616' });
  });

  it('cuts long strings and lists of a line, saying how much was left out', async () => {
    const { stream, writes } = recordingStream();
    const logger = createLogger('info', stream);
    const uid = 'u'.repeat(10 * 1024 * 1024);
    const kinds = Array.from({ length: 1000 }, (_, i) => `Kind${i}`);
    logger.info({ msg: 'review', uid, kinds, to: `g/${'v'.repeat(100_000)}`, nested: { kept: 'x'.repeat(3000) } });
    logEntry(logger, 'warn', { message: 'review', failure: 'f'.repeat(5000), kinds: ['A', 'b'.repeat(4000)] });
    await nextTurn();
    const [first, second] = parseLines(writes);
    expect(writes.join('').length, 'no line of megabytes').to.be.below(30_000);
    expect(first!.uid).to.equal(`${'u'.repeat(2048)}... (${uid.length - 2048} more characters)`);
    expect(first!.kinds).to.deep.equal([...kinds.slice(0, 20), '... 980 more']);
    expect(first!.to).to.match(/^g\/v+\.\.\. \(97954 more characters\)$/);
    expect((first!.nested as { kept: string }).kept, 'nested values are the service own').to.have.length(3000);
    expect(second!.failure).to.equal(`${'f'.repeat(2048)}... (2952 more characters)`);
    expect(second!.kinds).to.deep.equal(['A', `${'b'.repeat(2048)}... (1952 more characters)`]);
  });

  it('escapes NEL, the other C1 controls, U+2028 and U+2029: no line break but the one ending the line', async () => {
    const { stream, writes } = recordingStream();
    const logger = createLogger('info', stream);
    const tricky = 'a\u2028b\u2029c\u0085d\u0080\u009fe\u00a0f\ng\rh';
    logger.info({ msg: 'review', uid: tricky, kinds: [tricky] });
    logEntry(logger, 'info', { message: 'review', uid: tricky, big: 2n });
    logger.info({ msg: 'bigint path', uid: tricky, big: 2n ** 70n });
    await nextTurn();
    const text = writes.join('');
    expect(text).not.to.match(/[\u0080-\u009f\u2028\u2029\r]/);
    expect(text.split('\n').filter(Boolean)).to.have.length(3);
    const entries = parseLines(writes);
    expect(entries.map((e) => e.uid)).to.deep.equal([tricky, tricky, tricky]);
    expect(entries[0]!.kinds).to.deep.equal([tricky]);
    expect(text, 'a non-breaking space is not a line break').to.contain('\u00a0');
  });

  it('writes what is pending when the process exits, also when it crashes', () => {
    const script = `
      import { createLogger } from './src/log.ts';
      const logger = createLogger('info');
      logger.info({ msg: 'last words', n: 1 });
      ${'setTimeout(() => { logger.info({ msg: "crashing" }); throw new Error("boom"); }, 10);'}
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status, run.stderr).to.equal(1);
    const lines = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.message)).to.deep.equal(['last words', 'crashing']);
    expect(run.stderr).to.contain('Error: boom');
  });

  describe("logEntry (the per-review line, past winston's streams)", () => {
    it("writes the same line as logger.log, in the same write as the turn's other lines", async () => {
      const viaLogger = recordingStream();
      const direct = recordingStream();
      const a = createLogger('info', viaLogger.stream);
      const b = createLogger('info', direct.stream);
      a.log('info', { message: 'review', uid: 'u', objects: 3, kinds: ['Backend'] });
      logEntry(b, 'info', { message: 'review', uid: 'u', objects: 3, kinds: ['Backend'] });
      b.info({ msg: 'after' });
      await nextTurn();
      const strip = (e: Record<string, unknown>) => ({ ...e, timestamp: undefined });
      expect(parseLines(direct.writes).map(strip)[0]).to.deep.equal(parseLines(viaLogger.writes).map(strip)[0]);
      expect(parseLines(direct.writes).map((e) => e.message)).to.deep.equal(['review', 'after']);
      expect(direct.writes).to.have.length(1);
    });

    it("honours the logger's level and silence, and each transport's level and format", async () => {
      const { stream, writes } = recordingStream();
      const warnOnly = createLogger('warn', stream);
      logEntry(warnOnly, 'info', { message: 'dropped' });
      logEntry(warnOnly, 'warn', { message: 'kept' });
      const silenced = createLogger('info', stream);
      silenced.silent = true;
      logEntry(silenced, 'error', { message: 'silenced' });
      await nextTurn();
      expect(parseLines(writes).map((e) => e.message)).to.deep.equal(['kept']);

      const seen: Array<Record<string, unknown>> = [];
      const transport = (level: string | undefined, format?: winston.Logform.Format) =>
        new winston.transports.Stream({
          stream: new (class extends Writable {
            override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
              seen.push({ level, line: chunk.toString('utf8').trim() });
              done();
            }
          })(),
          ...(level !== undefined && { level }),
          ...(format && { format }),
        });
      const logger = winston.createLogger({
        level: 'debug',
        format: winston.format.json(),
        transports: [
          transport('error'),
          transport(
            undefined,
            winston.format.printf((i) => `custom ${String(i.message)}`),
          ),
        ],
      });
      logEntry(logger, 'info', { message: 'hello' });
      expect(seen).to.deep.equal([{ level: undefined, line: 'custom hello' }]);
    });
  });
});
