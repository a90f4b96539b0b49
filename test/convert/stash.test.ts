import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { differences } from '../../src/json/diff.js';
import { ABSENT, setAt } from '../../src/json/path.js';
import {
  annotationsSize,
  fingerprint,
  putStash,
  restoreEntries,
  STASH_ANNOTATION,
  stashEntries,
  stashWork,
  takeStash,
} from '../../src/convert/stash.js';

describe('stash', () => {
  it('finds the smallest differing paths, with absent sides', () => {
    const d = differences({ a: 1, b: { c: [1, 2], d: 'x' }, e: 5n }, { a: 1, b: { c: [1, 3], f: 'y' }, e: 5 });
    expect(d.map((x) => [x.path, x.left, x.right])).to.deep.equal([
      [['b', 'c', 1], 2, 3],
      [['b', 'd'], 'x', ABSENT],
      [['b', 'f'], ABSENT, 'y'],
    ]);
  });

  it('restores entries only where the fingerprint still matches', () => {
    const original = { spec: { a: 'orig', b: 'orig-b' } };
    const roundTrip = { spec: { a: 'lossy', b: 'lossy-b' } };
    const entries = stashEntries(original, differences(original, roundTrip));
    expect(restoreEntries(roundTrip, entries)).to.deep.equal(original);
    // b was edited through the other version: a comes back, the edit of b stays
    expect(restoreEntries({ spec: { a: 'lossy', b: 'edited' } }, entries)).to.deep.equal({
      spec: { a: 'orig', b: 'edited' },
    });
    // the parent was removed: nothing is resurrected
    expect(restoreEntries({}, entries)).to.deep.equal({});
  });

  it('fingerprints as every earlier release did: stashes stored in etcd keep matching', () => {
    // Version 1 of the format: the first 16 characters of the base64url SHA-256 of the value's
    // canonical JSON, '-' for an absent value. Computed here the long way, independently of the
    // fast paths (one-shot hashing, scalars without the serializer).
    const reference = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);
    const cases: Array<[unknown, string]> = [
      ['p', '"p"'],
      ['quote " and \u2028', JSON.stringify('quote " and \u2028')],
      [0, '0'],
      [-12, '-12'],
      [1.5, '1.5'],
      [2 ** 63, '9223372036854775808'],
      [9007199254740993n, '9007199254740993'],
      [true, 'true'],
      [null, 'null'],
      [{ b: [1, 'x'], a: { d: null, c: false } }, '{"a":{"c":false,"d":null},"b":[1,"x"]}'],
    ];
    for (const [value, canonical] of cases) expect(fingerprint(value), canonical).to.equal(reference(canonical));
    expect(fingerprint(ABSENT)).to.equal('-');
    expect(fingerprint('p')).to.equal('H7aAqh7ZZbwJ8CSr'); // pinned: a stored stash's literal
  });

  it('restores under __proto__ as an own key, and shares what no entry touches', () => {
    const body = JSON.parse('{"spec":{"__proto__":"lossy","keep":{"deep":[1]}},"other":{"x":1}}');
    const entries = [{ p: ['spec', '__proto__'], v: { polluted: true }, h: fingerprint('lossy') }];
    const restored = restoreEntries(body, entries) as { spec: Record<string, unknown>; other: unknown };
    expect(Object.getPrototypeOf(restored.spec)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(restored.spec, '__proto__')?.value).to.deep.equal({ polluted: true });
    expect(restored.spec.keep).to.equal(body.spec.keep);
    expect(restored.other).to.equal(body.other);
    expect(body.spec.__proto__).to.equal('lossy'); // the input is never written to
    // no entry applies: the very same object comes back
    expect(restoreEntries(body, [{ ...entries[0]!, h: fingerprint('edited') }])).to.equal(body);
  });

  it('keeps array entries only while the array keeps its length', () => {
    const entries = stashEntries({ l: ['x', 'y'] }, differences({ l: ['x', 'y'] }, { l: ['x', 'z'] }));
    expect(entries[0]).to.include({ n: 2 });
    expect(restoreEntries({ l: ['x', 'z'] }, entries)).to.deep.equal({ l: ['x', 'y'] });
    expect(restoreEntries({ l: ['x', 'z', 'w'] }, entries)).to.deep.equal({ l: ['x', 'z', 'w'] });
  });

  it('puts and takes the annotation, undoing what it had to create', () => {
    const stash = { origin: 'v1', entries: [{ p: ['a'], v: 1, h: fingerprint(ABSENT) }] };
    for (const metadata of [
      { name: 'x' },
      { name: 'x', annotations: {} },
      { name: 'x', annotations: { keep: 'me' } },
      null,
      ABSENT,
      { annotations: null },
    ]) {
      const put = putStash(metadata, stash);
      expect(put.annotations).to.have.property(STASH_ANNOTATION);
      const taken = takeStash(put);
      expect(taken.stash).to.deep.equal({ kind: 'found', stash });
      expect(taken.metadata).to.deep.equal(metadata);
    }
  });

  it('reports a malformed stash and leaves the metadata alone', () => {
    for (const value of [
      '{',
      '{"v":2}',
      '{"v":1,"origin":"v1","entries":[{"p":"a","h":"x"}]}',
      '{"v":1,"origin":"v1","entries":[],"meta":{"metadata":"x"}}',
    ]) {
      const metadata = { annotations: { [STASH_ANNOTATION]: value } };
      const taken = takeStash(metadata);
      expect(taken.stash.kind, value).to.equal('malformed');
      expect(taken.metadata).to.equal(metadata);
    }
  });

  it('counts annotation bytes as the apiserver does (UTF-8 keys and values)', () => {
    expect(annotationsSize({ annotations: { ab: 'é' } })).to.equal(4);
    expect(annotationsSize({})).to.equal(0);
  });

  it('writes user keys as own properties, never through a prototype', () => {
    const out = setAt({}, ['__proto__'], { polluted: true }) as Record<string, unknown>;
    expect(Object.getOwnPropertyNames(out)).to.deep.equal(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });
});

describe('stash: what taking it leaves alone, and how much work it does', () => {
  it('takes only its own annotation: other crdconv.io/* annotations stay', () => {
    const metadata = {
      annotations: {
        'crdconv.io/note': 'mine',
        [STASH_ANNOTATION]: '{"v":1,"origin":"v1","entries":[]}',
        'crdconv.io/stash-backup': 'x',
      },
    };
    const taken = takeStash(metadata);
    expect(taken.stash.kind).to.equal('found');
    expect(taken.metadata).to.deep.equal({
      annotations: { 'crdconv.io/note': 'mine', 'crdconv.io/stash-backup': 'x' },
    });
  });

  it('refuses overlapping entries as malformed (one path holding another, or the same path twice)', () => {
    for (const entries of [
      [
        { p: ['spec'], h: '-' },
        { p: ['spec', 'a'], h: '-' },
      ],
      [
        { p: ['spec', 'a'], h: '-' },
        { p: ['spec'], h: '-' },
      ],
      [
        { p: ['spec', 'a'], h: '-' },
        { p: ['spec', 'a'], h: '-' },
      ],
    ]) {
      const value = JSON.stringify({ v: 1, origin: 'v1', entries });
      expect(takeStash({ annotations: { [STASH_ANNOTATION]: value } }).stash).to.deep.include({ kind: 'malformed' });
    }
  });

  it('restores many entries in work linear in the stash plus the object (n and 4n entries)', () => {
    const work = (n: number) => {
      const keys = Array.from({ length: n }, (_, i) => `k${i}`);
      const plain = {
        spec: { parameters: Object.fromEntries(keys.map((k) => [k, 'plain'])), big: 'x'.repeat(n * 10) },
      };
      const entries = keys.map((k) => ({ p: ['spec', 'parameters', k], v: `stashed-${k}`, h: fingerprint('plain') }));
      const before = { ...stashWork };
      const out = restoreEntries(plain, entries) as { spec: { parameters: Record<string, string> } };
      expect(out.spec.parameters.k0).to.equal('stashed-k0');
      expect(out.spec.parameters[`k${n - 1}`]).to.equal(`stashed-k${n - 1}`);
      return stashWork.copied - before.copied + (stashWork.hashed - before.hashed);
    };
    const small = work(500);
    const large = work(2000);
    // Linear: 4x the entries, about 4x the work. Copying the parent per entry (the old way) gave 16x.
    expect(large / small).to.be.below(6);
    // And in absolute terms: a few units of work per entry, not per entry times the map's size.
    expect(large).to.be.below(2000 * 30);
  });

  it('fingerprints each entry only over the value at its own place', () => {
    const n = 1000;
    const spec = Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, 'y'.repeat(100)]));
    const entries = Array.from({ length: n }, (_, i) => ({ p: ['spec', `f${i}`], v: 'z', h: fingerprint('other') }));
    const before = stashWork.hashed;
    restoreEntries({ spec }, entries);
    // Each entry hashes its own 100-character value once: about n x 102 characters, never n x |spec|.
    expect(stashWork.hashed - before).to.be.below(n * 110);
  });
});
