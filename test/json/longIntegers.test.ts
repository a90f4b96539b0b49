import { expect } from 'chai';
import fc from 'fast-check';
import { parseJson } from '../../src/json/index.js';
import { findUnsafeIntegerLiterals, lastLongDigitRunEnd } from '../../src/json/longIntegers.js';
import { fcParams } from './arbitraries.js';

/** The obvious implementation, to check the strided one against. */
function lastLongDigitRunEndByRegex(text: string): number {
  let end = -1;
  for (const m of text.matchAll(/\d{16,}/g)) end = m.index + m[0].length;
  return end;
}

describe('json/long integer scanning', () => {
  it('finds the last run of 16+ digits as a regex does (property)', () => {
    const texts = fc.string({
      unit: fc.constantFrom('1', '2', '0', '9', '9', '5', ' ', '"', 'a', '\u0660'),
      maxLength: 120,
    });
    fc.assert(
      fc.property(texts, (text) => {
        expect(lastLongDigitRunEnd(text), text).to.equal(lastLongDigitRunEndByRegex(text));
      }),
      fcParams(1000),
    );
  });

  it('finds runs of exactly 16 digits wherever they sit', () => {
    for (let at = 0; at < 40; at++) {
      const text = 'x'.repeat(at) + '1234567890123456' + 'y'.repeat(40 - at);
      expect(lastLongDigitRunEnd(text)).to.equal(at + 16);
      expect(lastLongDigitRunEnd(text.replace('1234567890123456', '123456789012345'))).to.equal(-1);
    }
  });

  it('reports only unsafe integer literals in value position, outside strings', () => {
    const text =
      '{"k": "12345678901234567890", "a": 12345678901234567890, "b": 1234567890123456, "c": 9007199254740992, "d": -9007199254740993, "e": 1.12345678901234567890, "f": 12345678901234567890e1}';
    const found = findUnsafeIntegerLiterals(text, text.length);
    const literals: string[] = [];
    for (let k = 0; k < found.length; k += 2) literals.push(text.slice(found[k], found[k + 1]));
    expect(literals).to.deep.equal(['12345678901234567890', '9007199254740992', '-9007199254740993']);
  });

  it('scans megabytes of strings and escapes exactly', () => {
    const strings = JSON.stringify(Array.from({ length: 200_000 }, (_, i) => `s${i}\\"x`));
    const text = `{"list": ${strings}, "n": 12345678901234567890}`;
    expect(text.length).to.be.greaterThan(2_000_000);
    const v = parseJson(text) as { list: string[]; n: bigint };
    expect(v.n).to.equal(12345678901234567890n);
    expect(v.list).to.have.length(200_000);
    const escapes = `["${'\\"'.repeat(1_000_000)}", 12345678901234567890]`;
    expect(parseJson(escapes)).to.deep.equal(['"'.repeat(1_000_000), 12345678901234567890n]);
  });
});
