import { expect } from 'chai';
import fc from 'fast-check';
import { registry } from '../../../converters/index.js';
import { stringifyJson } from '../../../src/json/index.js';
import { loadRegistry } from '../../../src/kinds/load.js';
import type { Registry } from '../../../src/kinds/registry.js';
import type { ReviewRecord } from '../../../src/server/http/observer.js';
import { autoConvertThreads, ConversionPool, parseConvertThreads } from '../../../src/server/threads/conversionPool.js';
import { cutRanges, THREAD_MIN_OBJECTS } from '../../../src/server/threads/threadedConversion.js';
import { buildReview } from '../../support/apiserver.js';
import { harness, nextTurn } from '../../support/handlerHarness.js';
import { backendV1, databaseV1 } from '../../support/objects.js';

const CRASHING_KINDS = 'test/server/threads/fixtures/crashingKinds.ts';
const MAIN_THREAD_ONLY_KINDS = 'test/server/threads/fixtures/mainThreadOnlyKinds.ts';

interface LogLine {
  readonly level: string;
  readonly entry: Record<string, unknown>;
}

async function startPool(threads: number, kinds?: string) {
  const logs: LogLine[] = [];
  const pool = await ConversionPool.start({ threads, kinds, log: (level, entry) => logs.push({ level, entry }) });
  return { pool, logs };
}

/** A pool that notes every range it is given, [start, end) pairs in the order given. */
function watched(pool: ConversionPool): { pool: ConversionPool; ranges: number[] } {
  const ranges: number[] = [];
  const spy = {
    get size() {
      return pool.size;
    },
    run: (job: Parameters<ConversionPool['run']>[0]) => {
      ranges.push(job.start, job.end);
      return pool.run(job);
    },
  };
  return { pool: spy as unknown as ConversionPool, ranges };
}

/** What the observers are told of each object, as plain data. */
const outcomes = (record: ReviewRecord) =>
  record.objects.map((o) => [
    o.kind,
    o.from,
    o.to,
    o.ok,
    o.stash,
    o.reason,
    o.stashProblem,
    o.object,
    o.uid,
    o.resourceVersion,
  ]);

/** Wait (polling, the event loop free) until `done`, for 60 s at most. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
}

/**
 * Send one big review through a handler (threads or not) and wait for its report; with `chunk`,
 * the body arrives in chunks of that many bytes with its Content-Length, as from a socket.
 */
async function answer(body: string, options: { pool?: ConversionPool; registry?: Registry; chunk?: number }) {
  const { chunk, pool, ...handler } = options;
  // Chunks of the body in when the first range went to a thread (Infinity: none went).
  let chunksAtFirstRange = Infinity;
  let chunks = () => 0;
  const spy = pool && {
    get size() {
      return pool.size;
    },
    run: (job: Parameters<ConversionPool['run']>[0]) => {
      chunksAtFirstRange = Math.min(chunksAtFirstRange, chunks());
      return pool.run(job);
    },
  };
  const h = harness({
    sliceFromBytes: 0,
    sendAfterBytes: 1,
    maxRequestBytes: 64 * 1024 * 1024,
    ...handler,
    ...(spy && { pool: spy as unknown as ConversionPool }),
  });
  const length = String(Buffer.byteLength(body));
  const exchange = h.start('r', body, chunk === undefined ? {} : { 'content-length': length });
  chunks = () => exchange.progress.chunks;
  if (chunk === undefined) exchange.arrive();
  else await exchange.arriveInChunks(chunk);
  await until(() => h.records.length > 0);
  expect(h.records, 'reported once').to.have.length(1);
  return {
    status: exchange.answer.status,
    text: exchange.answer.text,
    contentLength: exchange.answer.headers['content-length'],
    record: h.records[0]!,
    chunks: exchange.progress.chunks,
    chunksAtFirstRange,
  };
}

/** Backends at v1; every seventh with a host outside ASCII (the answer's bytes are counted, not its characters). */
const backends = (n: number, edit: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: n }, (_, i) => ({
    ...backendV1(`web-${i}`, `web-${i}${i % 7 === 0 ? '-é😀' : ''}.example.com:${8000 + i}`),
    ...edit(i),
  }));

describe('conversion threads: big reviews converted side by side (--convert-threads)', function () {
  this.timeout(120_000);
  let shipped: Awaited<ReturnType<typeof startPool>>;
  before(async () => {
    shipped = await startPool(2);
  });
  after(async () => {
    await shipped.pool.close();
  });

  it('start, each loading the kinds itself', () => {
    expect(shipped.pool.size).to.equal(2);
    expect(shipped.logs).to.deep.equal([]);
  });

  it('answer every big review byte for byte as the main thread alone does: lists, stashes, failures, broken objects', async () => {
    const list = stringifyJson(buildReview(backends(5_000), 'stable.example.com/v2').body);
    // Objects that fail in several ranges: the message names the first three and counts the rest.
    const failing = stringifyJson(
      buildReview(
        backends(5_000, (i) => ([10, 2_500, 4_990, 4_999].includes(i) ? { hostPort: 7 } : {})),
        'stable.example.com/v2',
      ).body,
    );
    // v1 -> v1alpha1 through v1beta1: stashes written, integers beyond 2^53 kept to the digit.
    const databases = stringifyJson(
      buildReview(
        Array.from({ length: 400 }, (_, i) => databaseV1(`db-${i}`, { replicas: i % 7 })),
        'platform.example.com/v1alpha1',
      ).body,
    );
    const bodies = [
      list,
      failing,
      databases,
      // Broken in an object of a late range: the error placed in the whole body.
      list.replace('"web-4000"', '"web-4000",,'),
      // An integer longer than accepted, in an object of a late range.
      list.replace('"hostPort":"web-3005.example.com:11005"', `"hostPort":"a:1","n":${'9'.repeat(5000)}`),
      // No desiredAPIVersion: refused before any object is looked at.
      list.replace('"desiredAPIVersion":"stable.example.com/v2",', ''),
    ];
    const counts = [5_000, 5_000, 400, 5_000, 5_000, 5_000];
    const results: string[] = [];
    for (const [b, body] of bodies.entries()) {
      const alone = await answer(body, {});
      const { pool, ranges } = watched(shipped.pool);
      const threaded = await answer(body, { pool });
      // The same, the body arriving in chunks: ranges go out before it is all in.
      const arriving = await answer(body, { pool: shipped.pool, chunk: 64 * 1024 });
      for (const other of [threaded, arriving]) {
        expect(other.contentLength, 'Content-Length').to.equal(Buffer.byteLength(other.text));
        expect(other.status, body.slice(0, 120)).to.equal(alone.status);
        expect(other.text, body.slice(0, 120)).to.equal(alone.text);
        expect(other.record.result).to.equal(alone.record.result);
        expect(other.record.failure).to.equal(alone.record.failure);
        expect(outcomes(other.record)).to.deep.equal(outcomes(alone.record));
      }
      if (b !== bodies.length - 1)
        expect(arriving.chunksAtFirstRange, 'first range sent early').to.be.below(arriving.chunks / 2);
      // The log line says when a review went to the threads, and in how many ranges.
      expect(alone.record.threadRanges).to.equal(undefined);
      results.push(`${threaded.record.result} ${ranges.length / 2}`);
      expect(threaded.record.threadRanges).to.equal(ranges.length === 0 ? undefined : ranges.length / 2);
      if (ranges.length === 0) continue;
      // The ranges cover every object once, in order.
      expect(ranges[0]).to.equal(0);
      for (let k = 2; k < ranges.length; k += 2) expect(ranges[k]).to.equal(ranges[k - 1]);
      expect(ranges.at(-1)).to.equal(counts[b]);
    }
    const [result, rangeCount] = [results.map((r) => r.split(' ')[0]), results.map((r) => Number(r.split(' ')[1]))];
    expect(result).to.deep.equal(['Success', 'Failure', 'Success', 'BadRequest', 'BadRequest', 'Failure']);
    // Every review but the refused one went to the threads, in several ranges each.
    expect(rangeCount.slice(0, -1).every((n) => n >= 2)).to.equal(true, results.join(', '));
    expect(rangeCount.at(-1)).to.equal(0);
  });

  it('drop what they converted early when the review turns out to want another version', async () => {
    // desiredAPIVersion twice: JSON keeps the last, which the scan only sees after the objects.
    const list = stringifyJson(buildReview(backends(3_000), 'stable.example.com/v2').body);
    const twice = list
      .replace('"desiredAPIVersion":"stable.example.com/v2"', '"desiredAPIVersion":"stable.example.com/v1"')
      .replace(/]}}$/, '],"desiredAPIVersion":"stable.example.com/v2"}}');
    expect(JSON.parse(twice).request.desiredAPIVersion).to.equal('stable.example.com/v2');
    const alone = await answer(twice, {});
    const arriving = await answer(twice, { pool: shipped.pool, chunk: 32 * 1024 });
    expect(arriving.chunksAtFirstRange, 'ranges went out early, to v1').to.be.below(arriving.chunks);
    expect(arriving.status).to.equal(200);
    expect(arriving.text).to.equal(alone.text);
    const converted = JSON.parse(arriving.text).response.convertedObjects as { apiVersion: string }[];
    expect(converted).to.have.length(3_000);
    expect(new Set(converted.map((o) => o.apiVersion))).to.deep.equal(new Set(['stable.example.com/v2']));
  });

  it('drop what they converted when the client goes away mid-body, and go on serving', async () => {
    const body = stringifyJson(buildReview(backends(5_000), 'stable.example.com/v2').body);
    const h = harness({ sendAfterBytes: 1, maxRequestBytes: 64 * 1024 * 1024, pool: shipped.pool });
    const exchange = h.start('gone', body, { 'content-length': String(Buffer.byteLength(body)) });
    await exchange.arriveInChunks(64 * 1024, 10);
    await until(() => h.records.length > 0);
    // Let the ranges already sent come back: they must not be answered to anyone.
    await new Promise((r) => setTimeout(r, 300));
    expect(h.records.map((r) => [r.result, r.httpStatus])).to.deep.equal([['ClientAborted', 499]]);
    expect(exchange.answer.status).to.equal(0);
    const next = await answer(body, { pool: shipped.pool, chunk: 64 * 1024 });
    expect(next.record.result).to.equal('Success');
    expect(next.record.objects).to.have.length(5_000);
  });

  it('keep the main thread free: a small review sent after a big one is answered first', async () => {
    const h = harness({ sendAfterBytes: 1, maxRequestBytes: 64 * 1024 * 1024, pool: shipped.pool });
    h.start('big', stringifyJson(buildReview(backends(20_000), 'stable.example.com/v2').body)).arrive();
    await nextTurn();
    h.start('small', stringifyJson(buildReview(backends(1), 'stable.example.com/v2').body)).arrive();
    await until(() => h.records.length === 2);
    expect(h.records.map((r) => `${r.result} ${r.objects.length}`)).to.deep.equal(['Success 1', 'Success 20000']);
  });

  it('leave small reviews to the main thread', async () => {
    const { pool, ranges } = watched(shipped.pool);
    const few = await answer(
      stringifyJson(buildReview(backends(THREAD_MIN_OBJECTS - 1), 'stable.example.com/v2').body),
      { pool },
    );
    expect(few.record.result).to.equal('Success');
    expect(ranges).to.deep.equal([]);
  });
});

describe('conversion threads: when a thread dies or cannot start', function () {
  this.timeout(120_000);
  const probes = (n: number, crashAt?: number) =>
    stringifyJson(
      buildReview(
        Array.from({ length: n }, (_, i) => ({
          apiVersion: 'threads.test.example/v1',
          kind: 'Probe',
          metadata: { name: `p-${i}`, namespace: 'default', uid: `uid-${i}` },
          spec: { value: `v${i}`, ...(i === crashAt && { crash: true }) },
        })),
        'threads.test.example/v2',
      ).body,
    );

  it('a thread that dies fails the review it held with a 500 (as an exception would), and is replaced', async () => {
    const { registry: crashing } = await loadRegistry(CRASHING_KINDS);
    const { pool, logs } = await startPool(2, CRASHING_KINDS);
    try {
      expect(pool.size).to.equal(2);
      const died = await answer(probes(500, 321), { pool, registry: crashing });
      expect(died.status).to.equal(500);
      expect(died.record.result).to.equal('Error');
      expect(died.record.failure).to.equal('the conversion thread stopped (exit code 7)');
      expect(JSON.parse(died.text)).to.deep.equal({ error: 'internal error while converting; see the webhook log' });
      expect(logs.map((l) => `${l.level} ${String(l.entry.msg)}`)).to.include(
        'warn a conversion thread stopped; starting another',
      );
      // The replacement loads the kinds and takes the next review.
      for (let i = 0; i < 600 && pool.size < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(pool.size).to.equal(2);
      const next = await answer(probes(500), { pool, registry: crashing });
      expect(next.status).to.equal(200);
      expect(next.record.result).to.equal('Success');
      const converted = JSON.parse(next.text).response.convertedObjects as { spec: unknown }[];
      expect(converted).to.have.length(500);
      expect(converted[499]!.spec).to.deep.equal({ text: 'v499' });
    } finally {
      await pool.close();
    }
  });

  it('kinds that do not load on a thread: logged, and big reviews convert in the main thread', async () => {
    const { registry: kinds } = await loadRegistry(MAIN_THREAD_ONLY_KINDS);
    const { pool, logs } = await startPool(2, MAIN_THREAD_ONLY_KINDS);
    try {
      expect(pool.size).to.equal(0);
      expect(logs.map((l) => [l.level, l.entry.msg])).to.deep.equal([
        ['error', 'a conversion thread could not load the kinds'],
        ['error', 'a conversion thread could not load the kinds'],
      ]);
      expect(String(logs[0]!.entry.error)).to.contain('these kinds load in the main thread only');
      const body = probes(500);
      const viaPool = await answer(body, { pool, registry: kinds });
      const alone = await answer(body, { registry: kinds });
      expect(viaPool.status).to.equal(200);
      expect(viaPool.text).to.equal(alone.text);
      // A range given to a pool without threads is refused at once, never left waiting.
      const refused = await pool.run({
        desiredAPIVersion: 'threads.test.example/v2',
        total: 1,
        start: 0,
        end: 1,
        bytes: new Uint8Array(Buffer.from('{}')),
        spans: Int32Array.of(0, 2),
      });
      expect(refused).to.deep.include({ error: 'no conversion thread is running' });
    } finally {
      await pool.close();
    }
  });

  it('ranges still queued when the pool closes are answered, not left waiting', async () => {
    const { pool } = await startPool(1);
    const job = {
      desiredAPIVersion: 'stable.example.com/v2',
      total: 1,
      start: 0,
      end: 1,
      spans: Int32Array.of(0, 2),
    };
    const answers = Array.from({ length: 3 }, () => pool.run({ ...job, bytes: new Uint8Array(Buffer.from('{}')) }));
    await pool.close();
    const settled = await Promise.all(answers);
    expect(settled.filter((a) => 'error' in a).length).to.be.greaterThan(0);
    for (const a of settled) if ('error' in a) expect(a.error).to.match(/shutting down|stopped/);
  });
});

describe('conversion threads: how many, and how a review is cut', () => {
  it('--convert-threads takes 0 to 64 or auto; auto is one per CPU from two CPUs, at most 8', () => {
    expect(parseConvertThreads('0', 4)).to.equal(0);
    expect(parseConvertThreads('3', 4)).to.equal(3);
    expect(parseConvertThreads('auto', 4)).to.equal(4);
    expect(parseConvertThreads('auto', 1)).to.equal(0);
    expect(parseConvertThreads('auto', 32)).to.equal(8);
    for (const bad of ['-1', '65', '1.5', 'two', ''])
      expect(() => parseConvertThreads(bad, 4), bad).to.throw(
        '--convert-threads must be a number from 0 to 64, or auto',
      );
    expect([0, 1, 2, 3, 8, 9].map(autoConvertThreads)).to.deep.equal([0, 0, 2, 3, 8, 8]);
  });

  it('cuts the objects into consecutive ranges of about the size asked, each at least one object', () => {
    const sizes = fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(sizes, fc.integer({ min: 1, max: 20_000 }), (objectSizes, bytes) => {
        const spans: number[] = [];
        let at = 10;
        for (const size of objectSizes) {
          spans.push(at, at + size);
          at += size + 1; // the comma between
        }
        const ranges = cutRanges(spans, bytes);
        expect(ranges[0]).to.equal(0);
        expect(ranges.at(-1)).to.equal(objectSizes.length);
        for (let k = 0; k < ranges.length; k += 2) {
          const [start, end] = [ranges[k]!, ranges[k + 1]!];
          expect(end).to.be.greaterThan(start);
          if (k > 0) expect(start).to.equal(ranges[k - 1]);
          // A range stops at the first object that brings it to the size asked.
          const length = (e: number) => spans[2 * e - 1]! - spans[2 * start]!;
          if (end - start > 1) expect(length(end - 1)).to.be.lessThan(bytes);
          if (end < objectSizes.length) expect(length(end)).to.be.at.least(bytes);
        }
      }),
    );
  });
});

describe('conversion threads: the shipped registry is what the threads load by default', () => {
  it('(the handler tests above compare threads that load the default kinds with this registry)', async () => {
    const { registry: loaded } = await loadRegistry(undefined);
    expect(loaded.kinds.map((k) => `${k.def.kind}.${k.def.group}`)).to.deep.equal(
      registry.kinds.map((k) => `${k.def.kind}.${k.def.group}`),
    );
  });
});
