import { JsonSyntaxError } from './errors.js';
import { lineAndColumn } from './position.js';

/**
 * Where a JSON text first breaks the grammar (RFC 8259, as JSON.parse reads it), and why.
 *
 * JSON.parse's messages do not always carry a position ("Unexpected token '}', ... is not valid
 * JSON" has none), so this validator finds it. It runs only after JSON.parse has failed, so it
 * favours plainness over speed, but it is iterative: hostile nesting cannot exhaust the stack.
 * Returns undefined for a valid text.
 */
export function locateSyntaxError(text: string): { position: number; reason: string } | undefined {
  const n = text.length;
  const containers: Container[] = [];
  let i = skipWhitespace(text, 0);
  let state: State = 'value';
  for (;;) {
    if (state === 'value') {
      if (i >= n) return { position: n, reason: 'unexpected end of input, expected a value' };
      const c = text.charCodeAt(i);
      if (c === LBRACE || c === LBRACKET) {
        i = skipWhitespace(text, i + 1);
        const close = c === LBRACE ? RBRACE : RBRACKET;
        if (text.charCodeAt(i) === close) {
          i = skipWhitespace(text, i + 1);
          state = 'after';
        } else {
          containers.push(c === LBRACE ? 'object' : 'array');
          state = c === LBRACE ? 'key' : 'value';
        }
        continue;
      }
      const end =
        c === QUOTE ? scanString(text, i) : c === MINUS || isDigit(c) ? scanNumber(text, i) : scanLiteral(text, i);
      if (typeof end !== 'number') return end;
      i = skipWhitespace(text, end);
      state = 'after';
    } else if (state === 'key') {
      if (i >= n) return { position: n, reason: 'unexpected end of input, expected a property name' };
      if (text.charCodeAt(i) !== QUOTE) return unexpected(text, i, 'expected a double-quoted property name');
      const end = scanString(text, i);
      if (typeof end !== 'number') return end;
      i = skipWhitespace(text, end);
      if (i >= n) return { position: n, reason: "unexpected end of input, expected ':'" };
      if (text.charCodeAt(i) !== COLON) return unexpected(text, i, "expected ':' after property name");
      i = skipWhitespace(text, i + 1);
      state = 'value';
    } else {
      const top = containers[containers.length - 1];
      if (top === undefined)
        return i < n ? unexpected(text, i, 'expected the end of input after the value') : undefined;
      if (i >= n)
        return { position: n, reason: `unexpected end of input, expected ',' or '${top === 'object' ? '}' : ']'}'` };
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i = skipWhitespace(text, i + 1);
        state = top === 'object' ? 'key' : 'value';
      } else if (c === (top === 'object' ? RBRACE : RBRACKET)) {
        containers.pop();
        i = skipWhitespace(text, i + 1);
      } else {
        return unexpected(
          text,
          i,
          top === 'object'
            ? "expected ',' or '}' after a property value"
            : "expected ',' or ']' after an array element",
        );
      }
    }
  }
}

/** The JsonSyntaxError for a text JSON.parse rejected; `fallback` is JSON.parse's own error. */
export function jsonSyntaxError(text: string, fallback: unknown): JsonSyntaxError {
  const found = locateSyntaxError(text) ?? {
    // Unreachable while this validator and V8 agree (a property test checks they do).
    position: positionInV8Message(fallback) ?? 0,
    reason: fallback instanceof Error ? fallback.message : String(fallback),
  };
  const { line, column } = lineAndColumn(text, found.position);
  return new JsonSyntaxError(found.reason, found.position, line, column);
}

/** The "at position N" of a V8 JSON.parse message, when it has one. */
export function positionInV8Message(e: unknown): number | undefined {
  const m = e instanceof Error ? /at position (\d+)/.exec(e.message) : null;
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

type State = 'value' | 'key' | 'after';
type Container = 'object' | 'array';
type Failure = { position: number; reason: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const COLON = 0x3a;
const COMMA = 0x2c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** Names the character at `i` (only that one character: texts can hold secrets). */
function unexpected(text: string, i: number, expected: string): Failure {
  const c = text.codePointAt(i) ?? 0;
  // Printable ASCII as itself; anything else (controls, BOM, no-break space...) by code point.
  const shown =
    c > 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return { position: i, reason: `unexpected character ${shown}, ${expected}` };
}

/** JSON's whitespace is exactly space, tab, line feed and carriage return. */
function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** Runs of string content that need no attention: no quote, no backslash, no control character. */
const PLAIN_STRING_CONTENT = /[^"\\\u0000-\u001f]*/y;

/** End (exclusive) of the string starting at `start` (a quote), or why it is malformed. */
function scanString(text: string, start: number): number | Failure {
  let i = start + 1;
  for (;;) {
    PLAIN_STRING_CONTENT.lastIndex = i;
    PLAIN_STRING_CONTENT.test(text);
    i = PLAIN_STRING_CONTENT.lastIndex;
    if (i >= text.length) return { position: text.length, reason: 'unterminated string' };
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c !== BACKSLASH) return { position: i, reason: 'control character in a string (it must be escaped)' };
    const e = text.charCodeAt(i + 1);
    if (Number.isNaN(e)) return { position: text.length, reason: 'unterminated string' };
    if (e === 0x75 /* u */) {
      for (let k = i + 2; k < i + 6; k++) {
        if (k >= text.length) return { position: text.length, reason: 'unterminated string' };
        if (!isHexDigit(text.charCodeAt(k)))
          return { position: k, reason: 'bad unicode escape, expected 4 hex digits after \\u' };
      }
      i += 6;
    } else if ('"\\/bfnrt'.includes(String.fromCharCode(e))) {
      i += 2;
    } else {
      return { position: i + 1, reason: 'bad escape character after a backslash' };
    }
  }
}

/** End (exclusive) of the number starting at `start`, or why it is malformed. */
function scanNumber(text: string, start: number): number | Failure {
  let i = start;
  if (text.charCodeAt(i) === MINUS) i++;
  const digits = (from: number): number => {
    let k = from;
    while (isDigit(text.charCodeAt(k))) k++;
    return k;
  };
  if (!isDigit(text.charCodeAt(i))) return endOr(text, i, 'no digit after the minus sign');
  // A leading zero stands alone: in "01" the number is "0" and "1" is what follows it.
  i = text.charCodeAt(i) === 0x30 ? i + 1 : digits(i);
  if (text.charCodeAt(i) === DOT) {
    if (!isDigit(text.charCodeAt(i + 1))) return endOr(text, i + 1, 'no digit after the decimal point');
    i = digits(i + 1);
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === PLUS || sign === MINUS) i++;
    if (!isDigit(text.charCodeAt(i))) return endOr(text, i, 'no digit in the exponent');
    i = digits(i);
  }
  return i;
}

function endOr(text: string, i: number, reason: string): Failure {
  return i >= text.length
    ? { position: text.length, reason: `unexpected end of input, ${reason}` }
    : { position: i, reason };
}

/** End (exclusive) of `true`, `false` or `null` at `start`, or where the text departs from them. */
function scanLiteral(text: string, start: number): number | Failure {
  const word = LITERALS.find((w) => w.charCodeAt(0) === text.charCodeAt(start));
  if (word === undefined) return unexpected(text, start, 'expected a value');
  for (let k = 1; k < word.length; k++) {
    if (start + k >= text.length) return { position: text.length, reason: `unexpected end of input in '${word}'` };
    if (text.charCodeAt(start + k) !== word.charCodeAt(k)) return unexpected(text, start + k, `expected '${word}'`);
  }
  return start + word.length;
}

const LITERALS = ['true', 'false', 'null'];
