/**
 * The errors of the JSON module. Both carry where the problem is, never the offending content
 * beyond one character: messages end up in logs and HTTP answers, and objects can hold secrets.
 */

/** Malformed JSON text, or a number this module refuses; `line` and `column` are 1-based. */
export class JsonSyntaxError extends SyntaxError {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly reason: string,
    /** Offset in UTF-16 code units from the start of the text (0-based). */
    readonly position: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`Invalid JSON at line ${line}, column ${column}: ${reason}`);
  }
}

/** A value nested too deeply to serialize without exhausting the call stack. */
export class JsonTooDeepError extends RangeError {
  override readonly name = 'JsonTooDeepError';
  constructor(what: string) {
    super(`${what}: the value is nested too deeply (the call stack ran out)`);
  }
}

/** True for the RangeError V8 throws when the call stack runs out. */
export const isStackOverflow = (e: unknown): boolean => e instanceof RangeError && /call stack/i.test(e.message);
