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
