/**
 * Finds the objects of a ConversionReview body without parsing it, so that a big review (thousands
 * of objects, tens of megabytes) can be parsed and converted one object at a time, in slices that
 * let the event loop serve probes and small reviews in between, and without ever holding the
 * whole parsed list (several times the body's size) in memory.
 *
 * The scan finds `request.objects` in the body's bytes and the byte span of each element. The
 * body then parses as the envelope (the body with that list emptied) and each element on its own.
 * This means exactly what parsing the whole body means: the envelope and every element parse,
 * so the whole is valid JSON and holds the same values. Whenever that cannot be told by a plain
 * scan (the body is not an object, `request` or `objects` appear twice or with escapes in the key,
 * `objects` is not a list, an element is empty), the scan gives up and the caller parses the
 * whole body as usual; likewise when the envelope or an element fails to parse, the caller parses
 * the whole body to report the error exactly as it would have.
 *
 * UTF-8: every boundary is an ASCII byte (`[`, `,`, `]`), which never occurs inside a multi-byte
 * sequence, so decoding the pieces gives the same characters as decoding the whole.
 */
export interface ReviewLayout {
  /** The body with request.objects emptied (`[]`). */
  readonly envelope: string;
  /** Start and end byte offsets of each element of request.objects, flat: [start0, end0, start1, ...]. */
  readonly spans: readonly number[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** What a byte means inside an element: nothing, a string, an opening or a closing of nesting. */
const PLAIN = 0;
const STRING = 1;
const OPENS = 2;
const CLOSES = 3;
const BYTE_CLASS = new Uint8Array(256);
BYTE_CLASS[QUOTE] = STRING;
BYTE_CLASS[OPEN_BRACE] = OPENS;
BYTE_CLASS[OPEN_BRACKET] = OPENS;
BYTE_CLASS[CLOSE_BRACE] = CLOSES;
BYTE_CLASS[CLOSE_BRACKET] = CLOSES;

const REQUEST = Buffer.from('request');
const OBJECTS = Buffer.from('objects');
const DESIRED = Buffer.from('desiredAPIVersion');

/** Bytes scanned between two looks at the clock. */
const BYTES_PER_CHECK = 256 * 1024;

/**
 * A resumable scan: `step(deadline)` scans until the clock (performance.now()) passes `deadline`,
 * then returns 'more'; at the end it returns the layout, or undefined when the body is not one it
 * can split (parse it whole).
 *
 * The body may still be arriving: the scan then reads only the bytes received so far (`received`,
 * raised with `receive`), returns 'more' with `waiting` true when it needs more, and goes on from
 * there. The objects found so far (`found`) and the request's desiredAPIVersion as first seen
 * (`desiredAPIVersion`) can be used before the end; only the final layout says what the body is.
 */
export class ReviewSplitter {
  private pos = 0;
  private depth = 0;
  /** Whether the container at depth 1 and 2 is an object, and whether a key comes next there. */
  private readonly isObject = [false, false, false];
  private readonly expectKey = [false, false, false];
  /** The member being read at depth 1 is "request"; at depth 2 (inside it), "objects". */
  private inRequest = false;
  private atObjects = false;
  private requests = 0;
  private objectsKeys = 0;
  /** request.objects (its content is at depth 3): where it opens and closes, and the element being read. */
  private listStart = -1;
  private listEnd = -1;
  private elementStart = -1;
  private readonly spans: number[] = [];
  private failed = false;
  /** Bytes of the body received so far; the scan never reads past them. */
  private received: number;
  /** The last step stopped for want of bytes. */
  private wanting = false;
  private started = false;
  /** The top-level object closed before the whole body was in: finish once it is. */
  private closed = false;
  /** The member being read inside request is "desiredAPIVersion", and its value as first seen. */
  private atDesired = false;
  private desired: string | undefined;
  /** Inside an element, the scan stopped inside a string. */
  private inString = false;
  /** At depth 3 or less, the string at pos has no closing quote before this offset. */
  private searchedTo = 0;

  constructor(
    private readonly body: Buffer,
    received: number = body.length,
  ) {
    this.received = received;
  }

  /** More of the body is in: bytes [0, received) hold it. */
  receive(received: number): void {
    this.received = Math.min(received, this.body.length);
  }

  /** Whether the last step stopped because it needs more of the body (see receive). */
  get waiting(): boolean {
    return this.wanting;
  }

  /** The spans of the objects found so far (start, end, ...): a prefix of the layout's. */
  get found(): readonly number[] {
    return this.spans;
  }

  /** request.desiredAPIVersion as first seen, when it was a string; the envelope has the last word. */
  get desiredAPIVersion(): string | undefined {
    return this.desired;
  }

  step(deadline: number): ReviewLayout | undefined | 'more' {
    const body = this.body;
    const n = this.received;
    const complete = n >= body.length;
    this.wanting = false;
    const more = (): 'more' | undefined => {
      if (complete) return undefined;
      this.wanting = true;
      return 'more';
    };
    if (this.closed) return complete ? this.finish() : more();
    if (!this.started) {
      while (this.pos < n && isSpace(body[this.pos]!)) this.pos++;
      if (this.pos >= n) return more();
      if (body[this.pos] !== OPEN_BRACE) return undefined;
      this.started = true;
    }
    // Nothing past the bytes received is looked at (a buffer filled as the body arrives holds
    // garbage beyond them).
    const view = complete ? body : body.subarray(0, n);
    let nextCheck = this.pos + BYTES_PER_CHECK;
    while (this.pos < n) {
      if (this.failed) return undefined;
      if (this.pos >= nextCheck) {
        if (performance.now() >= deadline) return 'more';
        nextCheck = this.pos + BYTES_PER_CHECK;
      }
      if (this.depth > 3) {
        // Inside an element: only strings and nesting matter until it closes. A tight loop on
        // locals, strings skipped byte by byte (most are short keys: cheaper than a call each),
        // never past the next look at the clock nor past the bytes received: a string cut there
        // is taken up where it was left, so that no byte is scanned twice.
        let pos = this.pos;
        let depth = this.depth;
        let inString = this.inString;
        const stop = Math.min(n, nextCheck);
        while (pos < stop) {
          if (inString) {
            while (pos < stop) {
              const q = body[pos]!;
              if (q === QUOTE) {
                inString = false;
                break;
              }
              pos += q === BACKSLASH ? 2 : 1;
            }
            if (inString) break;
            pos++;
            continue;
          }
          const k = BYTE_CLASS[body[pos]!]!;
          pos++;
          if (k === PLAIN) continue;
          if (k === STRING) inString = true;
          else if (k === OPENS) depth++;
          else if (--depth === 3) break;
        }
        this.pos = pos;
        this.depth = depth;
        this.inString = inString;
        continue;
      }
      const c = body[this.pos]!;
      if (c === QUOTE) {
        // A string cut by the end of the bytes received is searched on from where it was left.
        const end = closingQuote(view, this.pos + 1, Math.max(this.pos + 1, this.searchedTo));
        if (end < 0) {
          this.searchedTo = n;
          return more();
        }
        this.searchedTo = 0;
        this.onString(this.pos, end);
        this.pos = end + 1;
        continue;
      }
      if (this.depth === 3 && this.listStart >= 0 && this.listEnd < 0) {
        if (c === COMMA) {
          if (this.elementStart < 0) return undefined; // `[,` or `,,`
          this.spans.push(this.elementStart, this.pos);
          this.elementStart = -1;
          this.pos++;
          continue;
        }
        if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
          if (this.elementStart >= 0) this.spans.push(this.elementStart, this.pos);
          else if (this.spans.length > 0) return undefined; // `[1,]`
          this.elementStart = -1;
          this.listEnd = this.pos;
          this.depth--;
          this.pos++;
          continue;
        }
        if (this.elementStart < 0 && !isSpace(c)) this.elementStart = this.pos;
      }
      switch (c) {
        case OPEN_BRACE:
        case OPEN_BRACKET:
          this.open(c === OPEN_BRACE);
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          this.depth--;
          if (this.depth === 0) {
            this.pos++;
            if (complete) return this.finish();
            this.closed = true;
            return more();
          }
          break;
        case COMMA:
          if (this.depth <= 2 && this.isObject[this.depth]) {
            this.expectKey[this.depth] = true;
            if (this.depth === 1) this.inRequest = false;
            else this.atObjects = this.atDesired = false;
          }
          break;
        case COLON:
          if (this.depth <= 2) this.expectKey[this.depth] = false;
          break;
      }
      this.pos++;
    }
    // The body ended inside the top-level object: parse it whole for the error.
    return more();
  }

  private open(isObject: boolean): void {
    const depth = ++this.depth;
    if (depth === 3 && this.inRequest && this.atObjects && !this.expectKey[2] && !isObject) {
      if (this.listStart >= 0) this.failed = true;
      this.listStart = this.pos;
      this.elementStart = -1;
      return;
    }
    if (depth <= 2) {
      this.isObject[depth] = isObject;
      this.expectKey[depth] = isObject;
      this.atObjects = this.atDesired = false;
    }
  }

  private onString(start: number, end: number): void {
    const depth = this.depth;
    if (depth === 3 && this.listStart >= 0 && this.listEnd < 0) {
      if (this.elementStart < 0) this.elementStart = start;
      return;
    }
    if (depth === 2 && this.inRequest && this.atDesired && !this.expectKey[2]) {
      this.atDesired = false;
      this.desired ??= stringValue(this.body, start, end);
      return;
    }
    if (depth === 0 || depth > 2 || !this.isObject[depth] || !this.expectKey[depth]) return;
    const key = this.body.subarray(start + 1, end);
    // A key with an escape might spell "request" or "objects": too rare to decode, parse whole.
    if (depth === 1) {
      if (key.includes(BACKSLASH)) this.failed = true;
      this.inRequest = key.equals(REQUEST);
      if (this.inRequest) this.requests++;
    } else if (this.inRequest) {
      if (key.includes(BACKSLASH)) this.failed = true;
      this.atObjects = key.equals(OBJECTS);
      if (this.atObjects) this.objectsKeys++;
      this.atDesired = key.equals(DESIRED);
    }
  }

  private finish(): ReviewLayout | undefined {
    if (this.failed || this.requests !== 1 || this.objectsKeys !== 1 || this.listStart < 0 || this.listEnd < 0)
      return undefined;
    const body = this.body;
    const envelope = body.toString('utf8', 0, this.listStart + 1) + body.toString('utf8', this.listEnd);
    return { envelope, spans: this.spans };
  }
}

/** The JSON string literal body[start..end] (quotes included) as a string; undefined if invalid. */
function stringValue(body: Buffer, start: number, end: number): string | undefined {
  try {
    return JSON.parse(body.toString('utf8', start, end + 1)) as string;
  } catch {
    return undefined;
  }
}

/**
 * The index of the quote that closes a string whose content starts at `from`, searching from
 * `at` (no quote before it closes the string); -1 if none.
 */
function closingQuote(body: Buffer, from: number, at: number = from): number {
  for (;;) {
    const q = body.indexOf(QUOTE, at);
    if (q < 0) return -1;
    let backslashes = 0;
    while (q - 1 - backslashes >= from && body[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q;
    at = q + 1;
  }
}
