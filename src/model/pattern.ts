/**
 * Patterns are written in RE2 syntax, the dialect of Go's `regexp` that the apiserver checks
 * `pattern` with, and they reach the CRD exactly as written. JavaScript's RegExp is another
 * dialect: `\s` and `.` match other characters, `(?i)` and `\z` are syntax errors, lookarounds and
 * backreferences exist only there. So crdconv never hands a pattern to RegExp as it is: it
 * translates it into a JavaScript expression that matches exactly the strings RE2 matches, and a
 * pattern that is not RE2 (a lookahead, a backreference, `\Z`, a possessive quantifier, a repeat
 * over 1000) is an error that says what and where. Everything JavaScript-side (strict validation,
 * property-test generators) uses `patternRegExp`.
 */

/** A pattern that is not RE2, or that has no exact JavaScript translation. */
export class PatternError extends Error {
  constructor(
    readonly pattern: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`pattern ${JSON.stringify(pattern)} at offset ${offset}: ${reason}`);
    this.name = 'PatternError';
  }
}

const cache = new Map<string, RegExp | PatternError>();

/** The JavaScript RegExp (flag `u`) that matches what RE2 matches with this pattern; throws PatternError. */
export function patternRegExp(pattern: string): RegExp {
  let hit = cache.get(pattern);
  if (hit === undefined) {
    try {
      hit = new RegExp(re2ToJs(pattern), 'u');
    } catch (e) {
      hit = e instanceof PatternError ? e : new PatternError(pattern, 0, (e as Error).message);
    }
    cache.set(pattern, hit);
  }
  if (hit instanceof PatternError) throw hit;
  return hit;
}

/**
 * A tester compiled on first use: a codec with a pattern RE2 rejects can still be built, and
 * `crdconv crds` then names the field (a module that throws on import would name nothing).
 */
export function lazyPattern(pattern: string): { test(s: string): boolean } {
  let compiled: RegExp | undefined;
  return { test: (s) => (compiled ??= patternRegExp(pattern)).test(s) };
}

/** Why a pattern cannot be used (not RE2, or no exact JavaScript form), or undefined when it can. */
export function patternProblem(pattern: string): string | undefined {
  try {
    patternRegExp(pattern);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

// ---------------------------------------------------------------------------------------------
// Code point sets: a sorted list of disjoint inclusive ranges.

type Ranges = Array<[number, number]>;
const MAX = 0x10ffff;

function normalize(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(ranges: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX) out.push([next, MAX]);
  return out;
}

const single = (c: number): Ranges => [[c, c]];
const ofChars = (s: string): Ranges => [...s].map((ch) => [ch.codePointAt(0)!, ch.codePointAt(0)!]);

const DIGIT: Ranges = [[0x30, 0x39]];
const WORD: Ranges = normalize([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);
/** RE2's `\s` is Perl's: tab, newline, form feed, carriage return, space (no vertical tab). */
const SPACE: Ranges = ofChars('\t\n\f\r ');

const POSIX: Record<string, Ranges> = {
  alnum: normalize([
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ]),
  alpha: normalize([
    [0x41, 0x5a],
    [0x61, 0x7a],
  ]),
  ascii: [[0, 0x7f]],
  blank: ofChars('\t '),
  cntrl: [
    [0, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: DIGIT,
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: normalize([
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ]),
  space: ofChars('\t\n\v\f\r '),
  upper: [[0x41, 0x5a]],
  word: WORD,
  xdigit: normalize([
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ]),
};

/** Unicode general categories: JavaScript names them bare like RE2; any other name is a script. */
const CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

/**
 * The case-folding orbit of a code point: the characters RE2's `(?i)` (Unicode simple folding)
 * treats as equal to it. JavaScript's `iu` matching uses the same folding, which finds them.
 */
function orbit(cp: number): number[] {
  let known = orbits.get(cp);
  if (known === undefined) orbits.set(cp, (known = computeOrbit(cp)));
  return known;
}
const orbits = new Map<number, number[]>();

function computeOrbit(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const candidates = new Set<number>([cp]);
  for (const s of [
    ch.toLowerCase(),
    ch.toUpperCase(),
    ch.toUpperCase().toLowerCase(),
    ch.toLowerCase().toUpperCase(),
  ]) {
    if ([...s].length === 1) candidates.add(s.codePointAt(0)!);
  }
  for (const group of SPECIAL_FOLDS) if (group.includes(cp)) for (const x of group) candidates.add(x);
  const re = new RegExp(`^\\u{${cp.toString(16)}}$`, 'iu');
  return [...candidates].filter((x) => re.test(String.fromCodePoint(x)));
}

/** Orbits with members that upper/lower casing of the letter alone does not reach. */
const SPECIAL_FOLDS: number[][] = [
  [0x6b, 0x4b, 0x212a], // k K Kelvin sign
  [0x73, 0x53, 0x17f], // s S long s
  [0xe5, 0xc5, 0x212b], // å Å Angstrom sign
  [0x3b8, 0x398, 0x3d1, 0x3f4], // theta
  [0x3b9, 0x399, 0x345, 0x1fbe], // iota
  [0x3bc, 0x39c, 0xb5], // mu, micro sign
  [0x3c9, 0x3a9, 0x2126], // omega, ohm sign
  [0x3b2, 0x392, 0x3d0],
  [0x3b5, 0x395, 0x3f5],
  [0x3ba, 0x39a, 0x3f0],
  [0x3c0, 0x3a0, 0x3d6],
  [0x3c1, 0x3a1, 0x3f1],
  [0x3c2, 0x3c3, 0x3a3],
  [0x3c6, 0x3a6, 0x3d5],
  [0x1e61, 0x1e60, 0x1e9b],
  [0xdf, 0x1e9e],
];

/** The set closed under case folding. A large set is folded through its (small) complement. */
function fold(ranges: Ranges, fail: (reason: string) => never): Ranges {
  const size = (rs: Ranges) => rs.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
  const LIMIT = 0x3000;
  if (size(ranges) <= LIMIT) {
    const out: Ranges = [...ranges];
    for (const [lo, hi] of ranges) for (let c = lo; c <= hi; c++) for (const x of orbit(c)) out.push([x, x]);
    return normalize(out);
  }
  // fold(X) for X = complement(Y): everything but the members of Y whose whole orbit is in Y.
  const rest = complement(ranges);
  if (size(rest) > LIMIT) fail('(?i) over a character class this large has no exact JavaScript translation here');
  const inRest = (x: number) => rest.some(([lo, hi]) => x >= lo && x <= hi);
  const kept: Ranges = [];
  for (const [lo, hi] of rest) for (let c = lo; c <= hi; c++) if (orbit(c).every(inRest)) kept.push([c, c]);
  return complement(kept);
}

const hex = (c: number) => `\\u{${c.toString(16)}}`;
const isPlain = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const char = (c: number) => (isPlain(c) ? String.fromCodePoint(c) : hex(c));

function renderRanges(ranges: Ranges): string {
  return ranges
    .map(([lo, hi]) => (lo === hi ? char(lo) : hi === lo + 1 ? char(lo) + char(hi) : `${char(lo)}-${char(hi)}`))
    .join('');
}

/** A class: a code point set, plus Unicode properties that JavaScript keeps by name. */
interface ClassItems {
  ranges: Ranges;
  props: string[];
}

function renderClass(items: ClassItems, negated: boolean): string {
  const ranges = normalize(items.ranges);
  if (items.props.length === 0) {
    if (ranges.length === 0) return negated ? '[^]' : '[]';
    if (!negated && ranges.length === 1 && ranges[0]![0] === ranges[0]![1]) return char(ranges[0]![0]);
  }
  return `[${negated ? '^' : ''}${items.props.join('')}${renderRanges(ranges)}]`;
}

// ---------------------------------------------------------------------------------------------
// The translator: one pass over the RE2 pattern.

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
  U: boolean;
}

/** Characters JavaScript (u flag) lets one escape outside a class. */
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/');

function re2ToJs(pattern: string): string {
  const cps = [...pattern].map((ch) => ch.codePointAt(0)!);
  let pos = 0;
  const fail = (reason: string, at = pos): never => {
    throw new PatternError(pattern, at, reason);
  };
  const peek = (k = 0) => cps[pos + k];
  const at = (s: string) => String.fromCodePoint(...cps.slice(pos, pos + s.length)) === s;
  const flagStack: Flags[] = [{ i: false, s: false, m: false, U: false }];
  const flags = () => flagStack[flagStack.length - 1]!;
  let out = '';
  /** Whether the last thing emitted can take a quantifier. */
  let quantifiable = false;
  let groups = 0;

  const literal = (c: number): string =>
    flags().i ? renderClass({ ranges: fold(single(c), fail), props: [] }, false) : char(c);

  const readHex = (): number => {
    // after \x
    if (peek() === 0x7b) {
      const close = cps.indexOf(0x7d, pos);
      if (close < 0) fail('unterminated \\x{...}');
      const digits = String.fromCodePoint(...cps.slice(pos + 1, close));
      if (!/^[0-9a-fA-F]{1,8}$/.test(digits) || parseInt(digits, 16) > MAX) fail(`invalid escape \\x{${digits}}`);
      pos = close + 1;
      return parseInt(digits, 16);
    }
    const digits = String.fromCodePoint(...cps.slice(pos, pos + 2));
    if (!/^[0-9a-fA-F]{2}$/.test(digits)) fail('\\x needs two hex digits or \\x{...}');
    pos += 2;
    return parseInt(digits, 16);
  };

  /** A Unicode class escape after `\p` or `\P`, as JavaScript spells it. */
  const readProperty = (negated: boolean): string => {
    let name: string;
    if (peek() === 0x7b) {
      const close = cps.indexOf(0x7d, pos);
      if (close < 0) fail('unterminated \\p{...}');
      name = String.fromCodePoint(...cps.slice(pos + 1, close));
      pos = close + 1;
    } else {
      if (peek() === undefined) fail('\\p needs a class name');
      name = String.fromCodePoint(peek()!);
      pos++;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (flags().i) fail('\\p{...} under (?i) has no exact JavaScript translation here');
    const p = negated ? 'P' : 'p';
    if (name === 'Any') return negated ? '[]' : '[^]';
    if (!/^[A-Za-z_]+$/.test(name)) fail(`invalid Unicode class \\p{${name}}`);
    const js = CATEGORIES.has(name) ? `\\${p}{${name}}` : `\\${p}{Script=${name}}`;
    try {
      new RegExp(js, 'u');
    } catch {
      fail(`unknown Unicode class ${name}`);
    }
    return js;
  };

  /**
   * An escape (after the backslash) that stands for characters: a set, a property, or one code
   * point. Shared by classes and the top level.
   */
  type Escaped = { ranges: Ranges } | { prop: string } | { cp: number };
  const readEscape = (inClass: boolean): Escaped => {
    const start = pos - 1;
    const c = peek();
    if (c === undefined) fail('trailing backslash', start);
    const ch = String.fromCodePoint(c!);
    pos++;
    switch (ch) {
      case 'd':
        return { ranges: DIGIT };
      case 'D':
        return { ranges: complement(DIGIT) };
      case 'w':
        return { ranges: WORD };
      case 'W':
        return { ranges: complement(WORD) };
      case 's':
        return { ranges: SPACE };
      case 'S':
        return { ranges: complement(SPACE) };
      case 'p':
      case 'P':
        return { prop: readProperty(ch === 'P') };
      case 'x':
        return { cp: readHex() };
      case 'a':
        return { cp: 7 };
      case 'f':
        return { cp: 12 };
      case 't':
        return { cp: 9 };
      case 'n':
        return { cp: 10 };
      case 'r':
        return { cp: 13 };
      case 'v':
        return { cp: 11 };
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        // RE2: \0 and \1..\7 followed by octal digits are octal codes; \1 alone would be a
        // backreference, which RE2 does not have.
        const digits: string[] = [ch];
        while (digits.length < 3 && peek() !== undefined && peek()! >= 0x30 && peek()! <= 0x37) {
          digits.push(String.fromCodePoint(peek()!));
          pos++;
        }
        if (ch !== '0' && digits.length === 1) fail(`backreference \\${ch}: RE2 has no backreferences`, start);
        return { cp: parseInt(digits.join(''), 8) };
      }
      case '8':
      case '9':
        return fail(`backreference \\${ch}: RE2 has no backreferences`, start);
      case 'k':
        return fail('named backreference \\k: RE2 has no backreferences', start);
      case 'b':
      case 'B':
      case 'A':
      case 'z':
        if (inClass) fail(`\\${ch} is not allowed in a character class`, start);
        return fail('internal: assertion escape', start);
      case 'Z':
        return fail('\\Z is not RE2 syntax (RE2 has \\z, end of text)', start);
      case 'C':
        return fail('\\C (any byte) has no JavaScript equivalent', start);
      case 'u':
        return fail('\\u is not RE2 syntax: write \\x{hhhh}', start);
      case 'c':
        return fail('\\c (control character) is not RE2 syntax', start);
      default:
        if (/[A-Za-z0-9]/.test(ch)) fail(`\\${ch} is not an RE2 escape`, start);
        // Escaped punctuation stands for itself.
        return { cp: c! };
    }
  };

  const readPosix = (): Ranges | undefined => {
    // at "[:"
    const m = /^\[:(\^?)([a-z]+):\]/.exec(String.fromCodePoint(...cps.slice(pos, pos + 12)));
    if (!m) return undefined;
    const set = POSIX[m[2]!];
    if (!set) fail(`unknown POSIX class [:${m[2]}:]`);
    pos += m[0].length;
    return m[1] ? complement(set!) : set;
  };

  const readClass = (): string => {
    // after "["
    const start = pos - 1;
    let negated = false;
    if (peek() === 0x5e) {
      negated = true;
      pos++;
    }
    const items: ClassItems = { ranges: [], props: [] };
    let first = true;
    for (;;) {
      const c = peek();
      if (c === undefined) fail('missing closing ]', start);
      if (c === 0x5d && !first) {
        pos++;
        break;
      }
      first = false;
      if (c === 0x5b && peek(1) === 0x3a) {
        const posix = readPosix();
        if (posix) {
          items.ranges.push(...posix);
          continue;
        }
      }
      // One item: a code point (maybe the start of a range) or a set.
      let lo: number;
      if (c === 0x5c) {
        pos++;
        const e = readEscape(true);
        if ('ranges' in e) {
          items.ranges.push(...e.ranges);
          continue;
        }
        if ('prop' in e) {
          if (e.prop === '[^]') items.ranges.push([0, MAX]);
          else if (e.prop !== '[]') items.props.push(e.prop);
          continue;
        }
        lo = e.cp;
      } else {
        lo = c!;
        pos++;
      }
      if (peek() === 0x2d && peek(1) !== undefined && peek(1) !== 0x5d) {
        pos++;
        let hi: number;
        if (peek() === 0x5c) {
          pos++;
          const e = readEscape(true);
          if (!('cp' in e)) return fail('a range must end in a single character', pos);
          hi = e.cp;
        } else {
          hi = peek()!;
          pos++;
        }
        if (hi < lo) fail(`invalid character class range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`);
        items.ranges.push([lo, hi]);
      } else {
        items.ranges.push([lo, lo]);
      }
    }
    if (flags().i) {
      if (items.props.length) fail('\\p{...} under (?i) has no exact JavaScript translation here');
      items.ranges = fold(normalize(items.ranges), fail);
    }
    return renderClass(items, negated);
  };

  const readRepeat = (): string | undefined => {
    // at "{": RE2 reads {n}, {n,}, {n,m}; anything else is a literal brace.
    const m = /^\{(\d+)(,(\d*))?\}/.exec(String.fromCodePoint(...cps.slice(pos, pos + 24)));
    if (!m) return undefined;
    const n = Number(m[1]);
    const max = m[3] ? Number(m[3]) : undefined;
    if (n > 1000 || (max !== undefined && max > 1000)) fail(`repeat count over 1000 in ${m[0]} (RE2's limit)`);
    if (max !== undefined && max < n) fail(`invalid repeat ${m[0]}`);
    pos += m[0].length;
    return m[0];
  };

  const quantifier = (q: string) => {
    if (!quantifiable) fail(`missing argument to repetition operator ${q}`);
    out += q;
    // (?U) swaps greedy and lazy.
    const lazy = peek() === 0x3f;
    if (lazy) pos++;
    if (lazy !== flags().U) out += '?';
    const n = peek();
    if (n === 0x2b || n === 0x2a || n === 0x3f || (n === 0x7b && readRepeatPeek())) {
      fail('possessive or doubled quantifier: RE2 rejects it (bad repetition operator)');
    }
    quantifiable = false;
  };
  const readRepeatPeek = () => /^\{(\d+)(,(\d*))?\}/.test(String.fromCodePoint(...cps.slice(pos, pos + 24)));

  while (pos < cps.length) {
    const c = cps[pos]!;
    const ch = String.fromCodePoint(c);
    switch (ch) {
      case '\\': {
        pos++;
        const e = peek();
        if (e === 0x41) {
          pos++;
          out += '^';
          quantifiable = false;
          break;
        }
        if (e === 0x7a) {
          pos++;
          out += '$';
          quantifiable = false;
          break;
        }
        if (e === 0x62 || e === 0x42) {
          pos++;
          out += e === 0x62 ? '\\b' : '\\B';
          quantifiable = false;
          break;
        }
        if (e === 0x51) {
          // \Q...\E: literal text
          pos++;
          let end = pos;
          while (end < cps.length && !(cps[end] === 0x5c && cps[end + 1] === 0x45)) end++;
          const text = cps.slice(pos, end);
          pos = end < cps.length ? end + 2 : end;
          if (text.length) {
            out += text.map((t) => `(?:${literal(t)})`).join('');
            quantifiable = true;
          }
          break;
        }
        const esc = readEscape(false);
        if ('ranges' in esc)
          out += renderClass({ ranges: flags().i ? fold(esc.ranges, fail) : esc.ranges, props: [] }, false);
        else if ('prop' in esc) out += esc.prop;
        else out += literal(esc.cp);
        quantifiable = true;
        break;
      }
      case '[':
        pos++;
        out += readClass();
        quantifiable = true;
        break;
      case '(': {
        pos++;
        if (peek() === 0x3f) {
          pos++;
          if (at('P<') || at('<')) {
            if (at('<=') || at('<!')) fail('lookbehind (?<= / (?<! is not RE2 syntax', pos - 2);
            pos += at('P<') ? 2 : 1;
            const close = cps.indexOf(0x3e, pos);
            const name = close < 0 ? '' : String.fromCodePoint(...cps.slice(pos, close));
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('invalid named capture');
            pos = close + 1;
            out += `(?<${name}>`;
            flagStack.push({ ...flags() });
            groups++;
            quantifiable = false;
            break;
          }
          if (at('=') || at('!')) fail('lookahead (?= / (?! is not RE2 syntax', pos - 2);
          // Flags: (?flags) or (?flags:re)
          let negate = false;
          const next: Flags = { ...flags() };
          for (;;) {
            const f = peek();
            if (f === undefined) fail('missing closing )');
            const fc = String.fromCodePoint(f!);
            pos++;
            if (fc === '-') {
              if (negate) fail('invalid flag group');
              negate = true;
            } else if (fc === 'i' || fc === 's' || fc === 'm' || fc === 'U') {
              next[fc] = !negate;
            } else if (fc === ':') {
              out += '(?:';
              flagStack.push(next);
              groups++;
              quantifiable = false;
              break;
            } else if (fc === ')') {
              flagStack[flagStack.length - 1] = next;
              break;
            } else {
              fail(`unknown group flag ${fc}`, pos - 1);
            }
          }
          break;
        }
        out += '(';
        flagStack.push({ ...flags() });
        groups++;
        quantifiable = false;
        break;
      }
      case ')':
        if (groups === 0) fail('unexpected )');
        groups--;
        flagStack.pop();
        pos++;
        out += ')';
        quantifiable = true;
        break;
      case '|':
        pos++;
        out += '|';
        quantifiable = false;
        break;
      case '^':
        // (?m): at the start of the text or of a line, which a lookbehind says in JavaScript.
        pos++;
        out += flags().m ? '(?<![^\\n])' : '^';
        quantifiable = false;
        break;
      case '$':
        pos++;
        out += flags().m ? '(?![^\\n])' : '$';
        quantifiable = false;
        break;
      case '.':
        pos++;
        out += flags().s ? '[^]' : '[^\\n]';
        quantifiable = true;
        break;
      case '*':
      case '+':
      case '?':
        pos++;
        quantifier(ch);
        break;
      case '{': {
        const repeat = readRepeat();
        if (repeat) quantifier(repeat);
        else {
          pos++;
          out += '\\{';
          quantifiable = true;
        }
        break;
      }
      default:
        pos++;
        out += JS_SYNTAX.has(ch) ? `\\${ch}` : literal(c);
        quantifiable = true;
    }
  }
  if (groups > 0) fail('missing closing )');
  return out;
}
