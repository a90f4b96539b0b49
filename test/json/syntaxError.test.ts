import { expect } from 'chai';
import fc from 'fast-check';
import { JsonSyntaxError, parseJson } from '../../src/json/index.js';
import { locateSyntaxError, positionInV8Message } from '../../src/json/syntaxError.js';
import { fcParams, jsonValuesWithBigInts, prettyText } from './arbitraries.js';

const failure = (text: string): JsonSyntaxError => {
  try {
    parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    throw e;
  }
  throw new Error(`parseJson accepted ${JSON.stringify(text)}`);
};

describe('json/syntax errors', () => {
  it('say line and column (1-based) and why', () => {
    const cases: Array<[string, number, number, RegExp]> = [
      ['{"a":}', 1, 6, /unexpected character '}', expected a value/],
      ['{\n  "a": 1,\n  "b": 2,\n}', 4, 1, /unexpected character '}', expected a double-quoted property name/],
      ['[1,\n 2\n 3]', 3, 2, /expected ',' or ']' after an array element/],
      ['{"a" 1}', 1, 6, /expected ':' after property name/],
      ['{"a": 1 "b": 2}', 1, 9, /expected ',' or '}' after a property value/],
      ['', 1, 1, /unexpected end of input, expected a value/],
      ['{"a": [1, 2', 1, 12, /unexpected end of input, expected ',' or ']'/],
      ['"abc', 1, 5, /unterminated string/],
      ['"a\\x"', 1, 4, /bad escape character/],
      ['"\\u12G4"', 1, 6, /bad unicode escape/],
      ['["a\tb"]', 1, 4, /control character in a string/],
      ['[1.]', 1, 4, /no digit after the decimal point/],
      ['[1e+]', 1, 5, /no digit in the exponent/],
      ['[-]', 1, 3, /no digit after the minus sign/],
      ['[01]', 1, 3, /unexpected character '1'/],
      ['[tru]', 1, 5, /expected 'true'/],
      ['{"a": 1}\n\n  x', 3, 3, /expected the end of input/],
      ['\ufeff{}', 1, 1, /unexpected character U\+FEFF, expected a value/],
      ['\r\n[\r\n 1,\r\n ]', 4, 2, /unexpected character ']'/],
      ['[1, 12345678901234567890,\n 9223372036854775807 x]', 2, 22, /expected ',' or ']'/],
      ['{"n": 12345678901234567890,}', 1, 28, /double-quoted property name/],
    ];
    for (const [text, line, column, reason] of cases) {
      const e = failure(text);
      expect(e, JSON.stringify(text)).to.be.instanceOf(SyntaxError);
      expect(e.name).to.equal('JsonSyntaxError');
      expect([e.line, e.column], JSON.stringify(text)).to.deep.equal([line, column]);
      expect(e.message, JSON.stringify(text))
        .to.match(new RegExp(`^Invalid JSON at line ${line}, column ${column}: `))
        .and.match(reason);
    }
  });

  it('never quote the text around the error (objects can hold secrets)', () => {
    const e = failure('{"password": "hunter2", "x": }');
    expect(e.message).not.to.include('hunter2');
  });

  it('agree with JSON.parse on validity and position, on mutated texts (property)', () => {
    const mutations = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        what: fc.constantFrom(...'{}[]:,"\\ -+.e0a\u0000\t'.split(''), '9223372036854775807'),
      }),
    );
    fc.assert(
      fc.property(
        jsonValuesWithBigInts,
        fc.constantFrom(0, 1),
        fc.array(mutations, { minLength: 1, maxLength: 3 }),
        (value, indent, edits) => {
          let text = prettyText(value, indent);
          for (const edit of edits) {
            const at = text.length === 0 ? 0 : edit.at % (text.length + 1);
            text =
              edit.kind === 'delete'
                ? text.slice(0, at) + text.slice(at + 1)
                : text.slice(0, at) + edit.what + text.slice(at);
          }
          let nativeError: unknown;
          try {
            JSON.parse(text);
          } catch (e) {
            nativeError = e;
          }
          const located = locateSyntaxError(text);
          if (nativeError === undefined) {
            expect(located, text).to.equal(undefined);
            return;
          }
          expect(located, text).not.to.equal(undefined);
          const v8Position = positionInV8Message(nativeError);
          if (v8Position !== undefined)
            expect(located?.position, `${text} / ${(nativeError as Error).message}`).to.equal(v8Position);
          if (/end of JSON input/.test((nativeError as Error).message))
            expect(located?.position, text).to.equal(text.length);
          expect(() => parseJson(text), text)
            .to.throw(JsonSyntaxError)
            .with.property('position', located?.position);
        },
      ),
      fcParams(300),
    );
  });
});
