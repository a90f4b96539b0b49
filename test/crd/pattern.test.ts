import { expect } from 'chai';
import fc from 'fast-check';
import { RE2 } from 're2-wasm';
import { constrained, t } from '../../src/model/index.js';
import { PatternError, patternProblem, patternRegExp } from '../../src/model/pattern.js';
import { openApiSchema } from '../../src/interpreters/openapi.js';

/**
 * Patterns are RE2 (what the apiserver runs); crdconv's JavaScript side runs a translation. These
 * hold the translation to Google's RE2 itself (re2-wasm): same syntax accepted, same strings
 * matched.
 */
const re2 = (pattern: string): RE2 | undefined => {
  try {
    return new RE2(pattern, 'u');
  } catch {
    return undefined;
  }
};

const settings = { numRuns: Number(process.env['FC_NUM_RUNS'] || 150), seed: 20261201 };

describe('patterns: RE2 syntax, exact JavaScript translation', () => {
  it('translates what RE2 and JavaScript spell or mean differently', () => {
    const cases: Array<[string, string]> = [
      ['(?i)ab', '[Aa][Bb]'],
      ['\\Aab\\z', '^ab$'],
      ['a.b', 'a[^\\n]b'],
      ['(?s)a.b', 'a[^]b'],
      ['(?m)^a$', '(?<![^\\n])a(?![^\\n])'],
      ['(?U)a+b*?', 'a+?b*'],
      ['\\s', '[\\u{9}\\u{a}\\u{c}\\u{d}\\u{20}]'],
      ['[[:digit:]]+', '[0-9]+'],
      ['\\pL\\p{Greek}', '\\p{L}\\p{Script=Greek}'],
      ['(?P<x>a)', '(?<x>a)'],
      ['\\x{1F600}', '\\u{1f600}'],
      ['a{', 'a\\{'],
      ['\\Q.*\\E', '(?:\\u{2e})(?:\\u{2a})'],
    ];
    for (const [pattern, js] of cases) expect(patternRegExp(pattern).source, pattern).to.equal(js);
  });

  it('(?i) folds the way RE2 does, Kelvin sign and long s included', () => {
    const r = patternRegExp('^(?i)ks$');
    for (const s of ['ks', 'KS', '\u212aſ']) expect(r.test(s), s).to.equal(true);
    expect(re2('^(?i)ks$')!.test('\u212aſ')).to.equal(true);
  });

  it('rejects what RE2 does not have, saying what and where', () => {
    const cases: Array<[string, RegExp]> = [
      ['a(?=b)', /lookahead/],
      ['(?<!a)b', /lookbehind/],
      ['(a)\\1', /backreference/],
      ['(?<n>a)\\k<n>', /backreference/],
      ['a++', /possessive/],
      ['a*+', /possessive/],
      ['abc\\Z', /\\Z is not RE2/],
      ['\\u0041', /\\u is not RE2/],
      ['a{1001}', /over 1000/],
      ['(a', /missing closing \)/],
      ['[a', /missing closing \]/],
    ];
    for (const [pattern, reason] of cases) {
      expect(patternProblem(pattern), pattern).to.match(reason);
      expect(() => patternRegExp(pattern)).to.throw(PatternError);
    }
    // Each of those RE2 refuses too, except \u, which
    // re2-wasm's JavaScript wrapper rewrites before RE2 sees it (Go's regexp rejects it).
    for (const [pattern] of cases.filter(([p]) => !p.startsWith('\\u')))
      expect(re2(pattern), pattern).to.equal(undefined);
  });

  it('a codec with a pattern RE2 rejects has no schema: the error names the field', () => {
    const codec = t.type({ spec: t.type({ name: constrained(t.string, { pattern: '^(?!kube-).*$' }) }) });
    expect(() => openApiSchema(codec)).to.throw(/at spec\.name: .*lookahead/);
    const ok = t.type({ name: constrained(t.string, { pattern: '(?i)^[a-z]+$' }) });
    expect(openApiSchema(ok).properties!['name']!.pattern).to.equal('(?i)^[a-z]+$');
    expect(ok.is({ name: 'AbC' })).to.equal(true);
    expect(ok.is({ name: 'Ab1' })).to.equal(false);
  });

  describe('property: the translation matches exactly the strings RE2 matches', () => {
    const atom = fc.constantFrom(
      'a',
      'k',
      'B',
      '.',
      '\\d',
      '\\D',
      '\\w',
      '\\W',
      '\\s',
      '\\S',
      '[a-c]',
      '[^a]',
      '[^\\s]',
      '[[:alpha:]]',
      '[[:^space:]]',
      '\\pL',
      '\\PN',
      '\\x{e9}',
      '\\-',
      '\\.',
      '[\\d_]',
      '\\b',
      '^',
      '$',
      '\\A',
      '\\z',
      'é',
      '[k-m]',
    );
    const quantifier = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,2}', '*?', '{0,}');
    const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string; piece: string }>((tie) => ({
      piece: fc.oneof(
        { arbitrary: fc.tuple(atom, quantifier).map(([a, q]) => (/^[\^$]|^\\[Azb]$/.test(a) ? a : a + q)), weight: 5 },
        { arbitrary: fc.tuple(tie('re'), quantifier).map(([r, q]) => `(${r})${q}`), weight: 1 },
        { arbitrary: tie('re').map((r) => `(?i:${r})`), weight: 1 },
        { arbitrary: tie('re').map((r) => `(?s:${r})`), weight: 1 },
        { arbitrary: tie('re').map((r) => `(?m:${r})`), weight: 1 },
        { arbitrary: tie('re').map((r) => `(?U:${r})`), weight: 1 },
      ),
      re: fc.oneof(
        { arbitrary: fc.array(tie('piece'), { minLength: 1, maxLength: 4 }).map((p) => p.join('')), weight: 4 },
        { arbitrary: fc.tuple(tie('piece'), tie('piece')).map(([a, b]) => `${a}|${b}`), weight: 1 },
      ),
    })).re;
    const text = fc.string({
      unit: fc.constantFrom(
        'a',
        'A',
        'k',
        'K',
        '\u212a',
        'ſ',
        's',
        'é',
        'É',
        '1',
        '_',
        '-',
        '.',
        ' ',
        '\n',
        '\r',
        '\u2028',
        '\v',
        '\u00a0',
        'λ',
      ),
      maxLength: 6,
    });

    it('on generated patterns and strings', () => {
      fc.assert(
        fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 8 }), (p, strings) => {
          const real = re2(p);
          const problem = patternProblem(p);
          if (real === undefined) {
            if (problem === undefined) throw new Error(`RE2 rejects ${p}, crdconv accepts it`);
            return;
          }
          // What crdconv declines on purpose (\p under (?i)) it says so; anything else is a bug.
          if (problem !== undefined && /no exact JavaScript translation/.test(problem)) return;
          if (problem !== undefined) throw new Error(`RE2 accepts ${p}, crdconv says: ${problem}`);
          const js = patternRegExp(p);
          for (const s of strings) {
            if (real.test(s) !== js.test(s)) {
              throw new Error(
                `${p} on ${JSON.stringify(s)}: RE2 ${real.test(s)}, JavaScript (${js.source}) ${js.test(s)}`,
              );
            }
          }
        }),
        settings,
      );
    });
  });
});
