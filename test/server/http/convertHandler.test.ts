import { expect } from 'chai';
import { registry } from '../../../converters/index.js';
import type { Registry } from '../../../src/kinds/registry.js';
import { stringifyJson } from '../../../src/json/index.js';
import { acceptAnswer, buildReview, type SentReview } from '../../support/apiserver.js';
import { backendV1, databaseV1alpha1 } from '../../support/objects.js';
import { harness, nextTurn } from '../../support/handlerHarness.js';

const review = (name: string, objects: Record<string, unknown>[] = [backendV1(name, `${name}:80`)]): SentReview =>
  buildReview(objects, 'stable.example.com/v2');

describe('convert handler: the reviews read in one turn are answered together at its end', () => {
  it('answers each review of a turn with its own answer, all sent before any is reported', async () => {
    const h = harness();
    const sent = ['a', 'b', 'c'].map((n) => review(n));
    const exchanges = sent.map((s) => h.start(s.uid, stringifyJson(s.body)));
    for (const e of exchanges) e.arrive();
    expect(h.events, 'nothing is answered before the turn ends').to.deep.equal([]);
    await nextTurn();
    expect(h.events).to.deep.equal([...sent.map((s) => `sent ${s.uid}`), ...sent.map((s) => `reported ${s.uid}`)]);
    sent.forEach((s, i) => {
      const { answer } = exchanges[i]!;
      const converted = acceptAnswer(s, answer.status, answer.text);
      expect(converted.map((o) => (o.metadata as { name: string }).name)).to.deep.equal([['a', 'b', 'c'][i]]);
    });
    expect(h.records.map((r) => r.uid)).to.deep.equal(sent.map((s) => s.uid));
    for (const r of h.records) {
      expect(r.result).to.equal('Success');
      expect(r.durationSeconds).to.be.greaterThan(0);
    }
  });

  it('keeps a bad review from touching the others of its turn', async () => {
    const h = harness();
    const good = review('good');
    const failing = review('failing', [databaseV1alpha1('broken', { storageBytes: 'lots' })]);
    failing.body.request = { ...(failing.body.request as object), desiredAPIVersion: 'platform.example.com/v1' };
    const exchanges = [
      h.start('good', stringifyJson(good.body)),
      h.start('malformed', '{"apiVersion":'),
      h.start('failing', stringifyJson(failing.body)),
    ];
    for (const e of exchanges) e.arrive();
    await nextTurn();
    const [ok, malformed, failed] = exchanges.map((e) => e.answer);
    expect(acceptAnswer(good, ok!.status, ok!.text)).to.have.length(1);
    expect(malformed!.status).to.equal(400);
    expect(JSON.parse(malformed!.text).error).to.match(/^malformed JSON/);
    expect(failed!.status).to.equal(200);
    expect(JSON.parse(failed!.text).response.result).to.deep.include({ status: 'Failure' });
    expect(h.records.map((r) => r.result)).to.deep.equal(['Success', 'BadRequest', 'Failure']);
  });

  it('answers 500 for a review the core throws on, and the rest of the turn normally', async () => {
    let calls = 0;
    const flaky: Registry = {
      kinds: registry.kinds,
      lookup: (group, kind) => {
        if (calls++ === 0) throw new Error('registry exploded');
        return registry.lookup(group, kind);
      },
    };
    const h = harness({ registry: flaky });
    const [first, second] = [review('first'), review('second')];
    const exchanges = [h.start('first', stringifyJson(first.body)), h.start('second', stringifyJson(second.body))];
    for (const e of exchanges) e.arrive();
    await nextTurn();
    expect(exchanges[0]!.answer.status).to.equal(500);
    expect(JSON.parse(exchanges[0]!.answer.text).error).to.not.contain('exploded'); // the reason is logged, not sent
    expect(h.records[0]).to.deep.include({ result: 'Error', httpStatus: 500, failure: 'registry exploded' });
    expect(acceptAnswer(second, exchanges[1]!.answer.status, exchanges[1]!.answer.text)).to.have.length(1);
  });

  it('sends and reports a group as soon as its bodies reach sendAfterBytes, before converting the next', async () => {
    const h = harness({ sendAfterBytes: 1 });
    const sent = [review('a'), review('b')];
    for (const s of sent) h.start(s.uid, stringifyJson(s.body)).arrive();
    await nextTurn();
    expect(h.events).to.deep.equal([
      `sent ${sent[0]!.uid}`,
      `reported ${sent[0]!.uid}`,
      `sent ${sent[1]!.uid}`,
      `reported ${sent[1]!.uid}`,
    ]);
  });

  it('answers a body over the limit at once, closing the connection, without waiting for the turn', () => {
    const h = harness();
    const exchange = h.start('huge', 'x', { 'content-length': String(1024 * 1024) });
    expect(exchange.answer.status).to.equal(413);
    expect(exchange.answer.headers.connection).to.equal('close');
    expect(h.records).to.have.length(1);
    expect(h.records[0]).to.deep.include({ result: 'TooLarge', httpStatus: 413 });
  });

  it('writes nothing to a connection that closed while its review waited for the turn, and still reports it', async () => {
    const h = harness();
    const [gone, staying] = [review('gone'), review('staying')];
    const first = h.start(gone.uid, stringifyJson(gone.body));
    const second = h.start(staying.uid, stringifyJson(staying.body));
    first.arrive();
    second.arrive();
    (first.res as { destroyed: boolean }).destroyed = true;
    await nextTurn();
    expect(h.events).to.deep.equal([`sent ${staying.uid}`, `reported ${gone.uid}`, `reported ${staying.uid}`]);
    expect(first.answer.status).to.equal(0);
    expect(acceptAnswer(staying, second.answer.status, second.answer.text)).to.have.length(1);
    expect(
      h.records.map((r) => r.connectionClosed),
      'the report says which answer never left',
    ).to.deep.equal([true, undefined]);
  });

  it('reviews whose bodies end in different turns are answered in their own turns', async () => {
    const h = harness();
    const [early, late] = [review('early'), review('late')];
    const first = h.start(early.uid, stringifyJson(early.body));
    const second = h.start(late.uid, stringifyJson(late.body));
    first.arrive();
    await nextTurn();
    expect(h.events).to.deep.equal([`sent ${early.uid}`, `reported ${early.uid}`]);
    second.arrive();
    await nextTurn();
    expect(h.events.slice(2)).to.deep.equal([`sent ${late.uid}`, `reported ${late.uid}`]);
  });
});

describe('convert handler: big reviews, split in their bytes and converted in slices', () => {
  /** The answer to `body` when converted whole in its turn, and when converted in slices. */
  async function bothWays(body: string) {
    const answers = [];
    for (const sliceFromBytes of [Infinity, 0]) {
      const h = harness({ sliceFromBytes, sendAfterBytes: 1, maxRequestBytes: 64 * 1024 * 1024 });
      const exchange = h.start('r', body);
      exchange.arrive();
      for (let i = 0; i < 10_000 && h.records.length === 0; i++) await nextTurn();
      expect(h.records, 'reported once').to.have.length(1);
      answers.push({ status: exchange.answer.status, text: exchange.answer.text, record: h.records[0]! });
    }
    return { whole: answers[0]!, sliced: answers[1]! };
  }

  const listReview = (n: number) =>
    review(
      'list',
      Array.from({ length: n }, (_, i) => backendV1(`web-${i}`, `web-${i}.example.com:${8000 + i}`)),
    );

  it('answers exactly as converting the whole body would, for lists, failures and broken bodies', async () => {
    const list = stringifyJson(listReview(600).body);
    const database = review('db', [databaseV1alpha1('a'), databaseV1alpha1('b', { storageBytes: 2n ** 63n - 1n })]);
    database.body.request = { ...(database.body.request as object), desiredAPIVersion: 'platform.example.com/v1' };
    const failing = review('failing', [backendV1('ok', 'a:1'), { ...backendV1('bad', 'a:1'), hostPort: 7 }]);
    const bodies = [
      list,
      stringifyJson(database.body),
      stringifyJson(failing.body),
      stringifyJson(review('empty', []).body),
      // Broken in an object: the error placed in the whole body.
      list.replace('"web-300"', '"web-300",,'),
      list.replace('"web-599.example.com:8599"', '"x"\n  \n ]'),
      // An integer longer than accepted, in an object.
      list.replace('"hostPort":"web-5.example.com:8005"', `"hostPort":"a:1","n":${'9'.repeat(5000)}`),
      // Not splittable: a second objects key, an escaped key; not a review.
      list.replace('"objects":[', '"objects":[],"objects":['),
      list.replace('"request":', '"requ\\u0065st":'),
      '{"kind":"ConversionReview","apiVersion":"apiextensions.k8s.io/v1","request":{"uid":"","objects":[1,2]}}',
      '[1,2,3]',
      `{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"uid":"u","objects":[${'['.repeat(100_000)}]}}`,
    ];
    const results: string[] = [];
    for (const body of bodies) {
      const { whole, sliced } = await bothWays(body);
      results.push(`${sliced.record.result} ${sliced.text.slice(0, 100)}`);
      expect(sliced.status, body.slice(0, 120)).to.equal(whole.status);
      expect(sliced.text, body.slice(0, 120)).to.equal(whole.text);
      expect(sliced.record.result).to.equal(whole.record.result);
      expect(sliced.record.objects.length).to.equal(whole.record.objects.length);
    }
    expect(results.map((r) => r.slice(0, r.indexOf(' ')))).to.deep.equal([
      'Success',
      'Success',
      'Failure',
      'Success',
      'BadRequest',
      'BadRequest',
      'BadRequest',
      'Success',
      'Success',
      'BadRequest',
      'BadRequest',
      'BadRequest',
    ]);
    expect(results[6]).to.contain('an integer literal of 5000 digits');
    const { sliced } = await bothWays(list);
    expect(JSON.parse(sliced.text).response.convertedObjects).to.have.length(600);
  });

  it('lets other work run between slices of a big review', async () => {
    const h = harness({ sliceFromBytes: 0, sendAfterBytes: 1, maxRequestBytes: 64 * 1024 * 1024 });
    const big = listReview(5_000);
    h.start('big', stringifyJson(big.body)).arrive();
    let turns = 0;
    while (h.records.length === 0) {
      await nextTurn();
      turns++;
    }
    // At most 10 ms of work a turn: 5,000 objects take more than one turn (on any machine).
    expect(turns).to.be.greaterThan(2);
    expect(h.records[0]!.result).to.equal('Success');
  });
});
