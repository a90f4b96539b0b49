import { expect } from 'chai';
import fc from 'fast-check';
import { parseJson } from '../../src/json/index.js';
import { ReviewSplitter, type ReviewLayout } from '../../src/review/splitReview.js';

/** Split a body in one go (or in slices of no time at all, when `sliced`). */
function split(text: string, sliced = false): ReviewLayout | undefined {
  const body = Buffer.from(text);
  const splitter = new ReviewSplitter(body);
  for (let i = 0; ; i++) {
    const r = splitter.step(sliced ? 0 : Infinity);
    if (r !== 'more') return r;
    if (i > body.length) throw new Error('no progress');
  }
}

/**
 * Split a body that arrives in pieces (cut at `cuts`, any order, deduplicated), scanning after
 * each: the buffer beyond what has arrived holds `garbage`, as a buffer filled from the socket
 * does. Checks on the way that what is found is always a prefix of what is found in the end.
 */
function splitArriving(
  text: string,
  cuts: number[],
  garbage: number,
): { layout: ReviewLayout | undefined; desired: (string | undefined)[] } {
  const whole = Buffer.from(text);
  const body = Buffer.alloc(whole.length, garbage);
  const splitter = new ReviewSplitter(body, 0);
  const found: number[][] = [];
  const desired: (string | undefined)[] = [];
  const points = [...new Set(cuts.map((c) => Math.min(c, whole.length)))].sort((a, b) => a - b);
  let received = 0;
  for (const point of [...points, whole.length]) {
    whole.copy(body, received, received, point);
    received = point;
    splitter.receive(received);
    for (;;) {
      const r = splitter.step(Infinity);
      if (r !== 'more') {
        // An answer only once everything is in (or the body cannot be split at all).
        if (r !== undefined) expect(received, 'a layout before the whole body is in').to.equal(whole.length);
        found.push([...splitter.found]);
        if (r !== undefined) for (const f of found) expect(r.spans.slice(0, f.length)).to.deep.equal(f);
        return { layout: r, desired };
      }
      expect(splitter.waiting, 'more without a deadline: waiting for bytes').to.equal(true);
      found.push([...splitter.found]);
      desired.push(splitter.desiredAPIVersion);
      break;
    }
  }
  throw new Error('the scan did not end with the whole body in');
}

/** The body as the pieces give it: the envelope with the parsed elements put back; or why not. */
function reassemble(text: string, layout: ReviewLayout): unknown {
  const body = Buffer.from(text);
  const envelope = parseJson(layout.envelope) as { request: { objects: unknown[] } };
  for (let i = 0; i < layout.spans.length; i += 2)
    envelope.request.objects.push(parseJson(body.toString('utf8', layout.spans[i], layout.spans[i + 1])));
  return envelope;
}

const parses = (f: () => unknown): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: f() };
  } catch {
    return { ok: false };
  }
};

const review = (objects: string, extra = '') =>
  `{"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview","request":{"uid":"u","desiredAPIVersion":"g/v2","objects":${objects}}${extra}}`;

describe('splitReview: the objects of a review found without parsing it', () => {
  it('finds each element of request.objects, wherever it is and whatever it holds', () => {
    const text = ` {"request" : {"objects" : [ {"a":"[,]\\\\\\"}"} , 1,"s\\"",[2,{"b":[]}], null ] ,"uid":"u"},"response":{"objects":[9]},"kind":"ConversionReview"}\n`;
    const layout = split(text)!;
    expect(layout.spans.length / 2).to.equal(5);
    expect(reassemble(text, layout)).to.deep.equal(JSON.parse(text));
    expect(JSON.parse(layout.envelope)).to.deep.equal({
      request: { objects: [], uid: 'u' },
      response: { objects: [9] },
      kind: 'ConversionReview',
    });
    expect(split(review('[]'))!.spans).to.deep.equal([]);
    expect(split(review('[ ]'))!.spans).to.deep.equal([]);
  });

  it('gives up (parse the whole body) when a plain scan cannot be sure', () => {
    for (const text of [
      '[1]',
      ' "x"',
      review('[1]', ',"request":{"objects":[2]}'),
      `{"request":{"objects":[1],"objects":[2]}}`,
      `{"req\\u0075est":{"objects":[1]}}`,
      `{"request":{"obj\\u0065cts":[1]}}`,
      review('{"a":[1]}'),
      review('null'),
      review('[1,]'),
      review('[,1]'),
      review('[1,,2]'),
      review('[1'),
      `{"request":{"uid":"u"}}`,
      `{"request":[{"objects":[1]}]}`,
    ]) {
      const layout = split(text);
      if (layout === undefined) continue;
      // Splittable after all: then only if the pieces mean exactly the whole.
      expect(
        parses(() => reassemble(text, layout)),
        text,
      ).to.deep.equal(parses(() => JSON.parse(text)));
    }
    expect(split(review('[1]', ',"request":{"objects":[2]}'))).to.equal(undefined);
    expect(split(`{"request":{"objects":[1],"objects":[2]}}`)).to.equal(undefined);
    expect(split(`{"req\\u0075est":{"objects":[1]}}`)).to.equal(undefined);
    expect(split(review('[1,]'))).to.equal(undefined);
  });

  it('is sound: when the envelope and every element parse, the whole body parses to the same value', () => {
    const element = fc.oneof(
      fc.json(),
      fc.constantFrom('{"kind":"Backend","metadata":{"name":"a,b]"}}', '"\\\\"', '"\\"]"', '[]', '{}', ' 1 '),
    );
    const body = fc
      .tuple(fc.array(element, { maxLength: 6 }), fc.constantFrom('', ',"response":{}', ',"x":"\\"objects\\""'))
      .map(([objects, extra]) => review(`[${objects.join(',')}]`, extra));
    // Valid reviews split, and their pieces are the whole.
    fc.assert(
      fc.property(body, fc.boolean(), (text, sliced) => {
        const layout = split(text, sliced);
        expect(layout, text).not.to.equal(undefined);
        expect(reassemble(text, layout!)).to.deep.equal(parseJson(text));
      }),
      { numRuns: 300 },
    );
    // Broken ones (a character dropped, doubled or inserted anywhere): never a different meaning.
    const edited = body.chain((text) =>
      fc.tuple(
        fc.constant(text),
        fc.nat({ max: text.length - 1 }),
        fc.constantFrom('', ',', ']', '[', '{', '}', '"', '\\', ':', ' ', '1', 'x'),
        fc.boolean(),
      ),
    );
    fc.assert(
      fc.property(edited, ([text, at, insert, drop]) => {
        const broken = text.slice(0, at) + insert + text.slice(drop ? at + 1 : at);
        const layout = split(broken);
        if (layout === undefined) return;
        expect(
          parses(() => reassemble(broken, layout)),
          broken,
        ).to.deep.equal(parses(() => parseJson(broken)));
      }),
      { numRuns: 2000 },
    );
  });

  it('splits a body as it arrives exactly as the whole body, whatever the buffer holds beyond what is in', () => {
    const element = fc.oneof(
      fc.json(),
      fc.constantFrom('{"kind":"Backend","metadata":{"name":"a,b]"}}', '"\\\\"', '"\\"]"', '[]', '{}', ' 1 ', '"é😀"'),
    );
    const text = fc
      .tuple(fc.array(element, { maxLength: 6 }), fc.constantFrom('', ',"response":{}', ' ', ',"x":"\\"objects\\""'))
      .chain(([objects, extra]) =>
        // Bytes after the top-level object too: whitespace, or something that makes it invalid.
        fc.constantFrom('', ' ', '\n ', 'x').map((after) => review(`[${objects.join(',')}]`, extra) + after),
      );
    const garbage = fc.constantFrom(...'"[]{},\\: x}'.split('').map((c) => c.charCodeAt(0)), 0);
    fc.assert(
      fc.property(text, fc.array(fc.nat({ max: 400 }), { maxLength: 12 }), garbage, (body, cuts, fill) => {
        const { layout, desired } = splitArriving(body, cuts, fill);
        expect(layout).to.deep.equal(split(body));
        // desiredAPIVersion, once seen, is the one the request holds.
        for (const d of desired) if (d !== undefined) expect(d).to.equal('g/v2');
      }),
      { numRuns: 500 },
    );
    // Broken bodies too: the same answer as the whole, never a layout before the end.
    const broken = text.chain((body) =>
      fc.tuple(
        fc.constant(body),
        fc.nat({ max: body.length - 1 }),
        fc.constantFrom('', ',', ']', '[', '{', '}', '"', '\\', 'x'),
      ),
    );
    fc.assert(
      fc.property(
        broken,
        fc.array(fc.nat({ max: 400 }), { maxLength: 8 }),
        garbage,
        ([body, at, insert], cuts, fill) => {
          const edited = body.slice(0, at) + insert + body.slice(at + 1);
          expect(splitArriving(edited, cuts, fill).layout).to.deep.equal(split(edited));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('scans each byte of an arriving body once, however long its strings', function () {
    // Strings of 8 MB inside an object and at the top (a uid), arriving 1 KiB at a time: a scan
    // that went back to the start of a string cut by the end of what had arrived would read
    // about 8,000 x 4 MB here, minutes of a blocked event loop, and this test would time out.
    this.timeout(20_000);
    const long = 'a\\"[{'.repeat(2 * 1024 * 1024);
    const text = review(`[{"data":"${long}"},"${long}"]`).replace('"uid":"u"', `"uid":"${long}"`);
    const whole = Buffer.from(text);
    const body = Buffer.alloc(whole.length, '"'.charCodeAt(0));
    const splitter = new ReviewSplitter(body, 0);
    let layout: ReviewLayout | undefined | 'more' = 'more';
    for (let at = 0; at < whole.length;) {
      const next = Math.min(whole.length, at + 1024);
      whole.copy(body, at, at, next);
      at = next;
      splitter.receive(at);
      layout = splitter.step(Infinity);
      if (at < whole.length) expect(layout).to.equal('more');
    }
    expect(layout).to.deep.equal(split(text));
    expect(reassemble(text, layout as ReviewLayout)).to.deep.equal(JSON.parse(text));
  });

  it('tells the desiredAPIVersion it first saw, before the objects are all in', () => {
    const text = review('[{"a":1},{"b":2},{"c":3}]');
    const at = text.indexOf('"objects"') + 20;
    const { desired } = splitArriving(text, [at], '"'.charCodeAt(0));
    expect(desired[0]).to.equal('g/v2');
    // Not a string, or escaped: as JSON reads it.
    const escaped = text.replace('"desiredAPIVersion":"g/v2"', '"desiredAPIVersion":"g\\/v\\u0032"');
    expect(splitArriving(escaped, [escaped.indexOf('"objects"') + 20], 32).desired[0]).to.equal('g/v2');
    const number = text.replace('"desiredAPIVersion":"g/v2"', '"desiredAPIVersion":2');
    expect(splitArriving(number, [number.indexOf('"objects"') + 20], 32).desired[0]).to.equal(undefined);
  });

  it('looks at the clock inside a big element too, and finds the same elements in slices as in one go', () => {
    // One element of about 1 MB (strings holding brackets, quotes and backslashes), then a small one.
    const leaf = { s: 'a "quoted" [x] {y} \\ ', n: [1, [2, { t: ']' }]] };
    const big = { kind: 'Big', items: Array.from({ length: 16_000 }, (_, i) => ({ i, ...leaf })) };
    const text = review(`[${JSON.stringify(big)}, {"kind":"Small"}]`);
    expect(text.length).to.be.greaterThan(3 * 256 * 1024);
    const body = Buffer.from(text);
    const splitter = new ReviewSplitter(body);
    let steps = 0;
    let layout: ReviewLayout | undefined | 'more';
    do {
      layout = splitter.step(0);
      steps++;
    } while (layout === 'more');
    // A deadline already past: the scan stops every 256 KiB, inside the big element as well.
    expect(steps).to.be.greaterThan(3);
    expect(layout).to.deep.equal(split(text));
    expect(reassemble(text, layout!)).to.deep.equal(JSON.parse(text));
    // Cut inside a string of the big element: no closing quote, parse the whole (for the error).
    expect(split(text.slice(0, text.indexOf('quoted', 500_000)))).to.equal(undefined);
  });

  it('decodes multi-byte and invalid UTF-8 the same in pieces as whole', () => {
    const bytes = Buffer.concat([
      Buffer.from(review('[').slice(0, -2)),
      Buffer.from('"é😀"'),
      Buffer.from(',"'),
      Buffer.from([0xe2, 0x82]), // a truncated sequence just before the closing quote
      Buffer.from('",{"k":"'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('"}]}}'),
    ]);
    const splitter = new ReviewSplitter(bytes);
    const layout = splitter.step(Infinity) as ReviewLayout;
    const whole = JSON.parse(bytes.toString('utf8')) as { request: { objects: unknown[] } };
    const pieces: unknown[] = [];
    for (let i = 0; i < layout.spans.length; i += 2)
      pieces.push(JSON.parse(bytes.toString('utf8', layout.spans[i], layout.spans[i + 1])));
    expect(pieces).to.deep.equal(whole.request.objects);
  });
});
