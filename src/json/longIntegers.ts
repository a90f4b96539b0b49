/**
 * Finding the integer literals JSON.parse would round: those outside
 * Number.MIN_SAFE_INTEGER..MAX_SAFE_INTEGER. A safe integer has at most 16 digits, so only runs
 * of 16 or more digits can be such literals, and most texts have none at all.
 */

/** MAX_SAFE_INTEGER's digits: a 16-digit literal is unsafe when it sorts after these. */
const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);
const LONG_RUN = MAX_SAFE_DIGITS.length; // 16

const isDigitCode = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * End (exclusive) of the last run of 16 or more ASCII digits anywhere in the text (strings
 * included), or -1 when there is none: the gate of the fast path.
 *
 * Any run of 16 consecutive characters holds exactly one index in every residue class modulo 16,
 * so looking at every 16th character, from the end, and widening around the digits it hits finds
 * every such run. Each shorter run holds at most one probed index, so widening reads each
 * character at most once: linear, and on Kubernetes objects several times faster than the regex
 * /\d{16}/ (which also degrades on texts full of 15-digit runs).
 */
export function lastLongDigitRunEnd(text: string): number {
  for (let i = text.length - 1; i >= 0; i -= LONG_RUN) {
    if (!isDigitCode(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isDigitCode(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (isDigitCode(text.charCodeAt(end))) end++;
    if (end - start >= LONG_RUN) return end;
    i = start; // the next probe lands before this run
  }
  return -1;
}

/**
 * Skips, from `lastIndex`, everything that cannot start a long integer literal outside a string:
 * non-digit characters other than quotes, whole strings (escapes included), and digit runs of
 * up to 15. It stops at a long digit run outside strings, at a quote that opens no terminated
 * string (malformed text), or after 4096 steps: V8 keeps a backtrack entry per step, and an
 * unbounded loop overflows on texts of a few tens of megabytes.
 */
const SKIP = /(?:[^"\d]+|"[^"\\]*(?:\\[\s\S][^"\\]*)*"|\d{1,15}(?!\d)){0,4096}/y;

/**
 * The integer literals in value position, outside strings, that are not safe integers, as a flat
 * list of [start, end) offsets (start at the minus sign when there is one). Scans up to `limit`
 * (the end of the last long digit run). Integer literals only: a fraction or an exponent makes a
 * number that JSON.parse reads as well as anyone can.
 *
 * A literal counts only in value position: after '[', ',' or ':' (or at the start) and before
 * ',', ']' or '}' (or at the end), whitespace aside. Valid JSON has numbers nowhere else, so
 * rewriting one of these into a string token keeps a valid text valid and an invalid one invalid.
 * Digit runs with a leading zero are left alone: they are malformed, and JSON.parse says so.
 */
export function findUnsafeIntegerLiterals(text: string, limit: number): number[] {
  const found: number[] = [];
  SKIP.lastIndex = 0;
  for (;;) {
    const from = SKIP.lastIndex;
    SKIP.test(text);
    const at = SKIP.lastIndex;
    if (at >= limit) return found;
    const c = text.charCodeAt(at);
    if (isDigitCode(c)) {
      let end = at + 1;
      while (isDigitCode(text.charCodeAt(end))) end++;
      if (end - at >= LONG_RUN && c !== 0x30 && isUnsafeDigits(text, at, end)) {
        const start = text.charCodeAt(at - 1) === 0x2d ? at - 1 : at;
        if (inValuePosition(text, start, end)) found.push(start, end);
      }
      SKIP.lastIndex = end;
    } else if (at === from) {
      // A quote that opens no terminated string: the text is malformed from here on, and JSON.parse
      // will say where. Nothing after it can be told apart from string content.
      return found;
    }
  }
}

/** Whether the digits text[start, end) (no sign, no leading zero) exceed MAX_SAFE_INTEGER. */
function isUnsafeDigits(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length !== LONG_RUN) return length > LONG_RUN;
  return text.slice(start, end) > MAX_SAFE_DIGITS;
}

const isJsonWhitespace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function inValuePosition(text: string, start: number, end: number): boolean {
  let before = start - 1;
  while (before >= 0 && isJsonWhitespace(text.charCodeAt(before))) before--;
  const b = text.charCodeAt(before);
  if (before >= 0 && b !== 0x5b /* [ */ && b !== 0x2c /* , */ && b !== 0x3a /* : */) return false;
  let after = end;
  while (isJsonWhitespace(text.charCodeAt(after))) after++;
  const a = text.charCodeAt(after);
  return after >= text.length || a === 0x2c /* , */ || a === 0x5d /* ] */ || a === 0x7d; /* } */
}
