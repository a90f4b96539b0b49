import { expect } from 'chai';
import { differences } from '../../src/convert/diff.js';
import { ABSENT, setAt } from '../../src/convert/paths.js';
import {
  annotationsSize,
  fingerprint,
  putStash,
  restoreEntries,
  STASH_ANNOTATION,
  stashEntries,
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
