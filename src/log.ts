import winston from 'winston';
import TransportStream from 'winston-transport';

/**
 * Structured JSON logs. Custom resources can hold secrets: never log an object's content at info
 * or above; name objects by kind and namespace/name, and fields by path.
 */
export type Logger = winston.Logger;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where winston's formats leave the finished line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

const safeJson = winston.format.json({ deterministic: false });

/**
 * A time as an ISO 8601 string, exactly as Date's toISOString (and winston's timestamp format)
 * writes it. Formatting a Date costs more than the rest of a line, and a busy webhook logs a line
 * every few hundred microseconds: the date and time up to the second are formatted once per
 * second, and only the milliseconds are appended for each line.
 */
let lastSecond = Number.NaN;
let secondPrefix = '';
export const isoTimestamp = (ms: number): string => {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    secondPrefix = new Date(second * 1000).toISOString().slice(0, -4); // without "000Z"
  }
  const milli = ms - second * 1000;
  return `${secondPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
};

const isoNow = (): string => isoTimestamp(Date.now());

/**
 * One flat JSON line per entry, in one step (it runs for every review):
 * - calls pass one object whose `msg` says what happened: `logger.info({ msg: 'review', uid })`.
 *   Winston nests that object under `message`; it is flattened so that every field is top-level
 *   and `message` is the text, as log pipelines expect (the per-review line passes `message`
 *   itself and skips this);
 * - `timestamp` is added, as winston's timestamp format would;
 * - JSON.stringify writes the fields in the order they were given; winston's own json format,
 *   several times slower, only takes the entries JSON.stringify refuses (a bigint, a cycle).
 */
const jsonLine = winston.format((info) => {
  const m = info.message as unknown;
  if (typeof m === 'object' && m !== null && !Array.isArray(m)) {
    const { msg, ...fields } = m as Record<string, unknown>;
    Object.assign(info, fields);
    info.message = typeof msg === 'string' ? msg : '';
  }
  info.timestamp = isoNow();
  capFields(info as Record<string, unknown>);
  try {
    (info as Record<symbol, unknown>)[MESSAGE] = escapeLineSeparators(JSON.stringify(info));
    return info;
  } catch {
    const out = safeJson.transform(info, {});
    if (typeof out === 'object') {
      const line = (out as Record<symbol, unknown>)[MESSAGE];
      if (typeof line === 'string') (out as Record<symbol, unknown>)[MESSAGE] = escapeLineSeparators(line);
    }
    return out;
  }
});

/** The longest string a log field keeps; the rest is replaced by a note of how much was cut. */
export const MAX_LOG_STRING = 2048;
/** The most entries a list in a log field keeps. */
export const MAX_LOG_ARRAY = 20;

/**
 * Whatever a client sends can reach a log line (a uid, a desiredAPIVersion, object names in a
 * failure message): a 60 MB desiredAPIVersion must not become a 60 MB line. Cut every top-level
 * string field, and every string in a top-level list, to MAX_LOG_STRING characters, and lists to
 * MAX_LOG_ARRAY entries. Only the top level: nested values are the service's own (a certificate's
 * description). A loop over a dozen fields: nothing measurable per line.
 */
function capFields(info: Record<string, unknown>): void {
  for (const key in info) {
    const v = info[key];
    if (typeof v === 'string') {
      if (v.length > MAX_LOG_STRING) info[key] = capText(v);
    } else if (Array.isArray(v)) {
      let capped: unknown[] | undefined;
      const n = Math.min(v.length, MAX_LOG_ARRAY);
      for (let i = 0; i < n; i++) {
        const item: unknown = v[i];
        if (typeof item === 'string' && item.length > MAX_LOG_STRING) (capped ??= v.slice(0, n))[i] = capText(item);
      }
      if (v.length > MAX_LOG_ARRAY) {
        capped ??= v.slice(0, n);
        capped.push(`... ${v.length - MAX_LOG_ARRAY} more`);
      }
      if (capped) info[key] = capped;
    }
  }
}

/** A string cut to `max` characters, saying how many were left out. */
export const capText = (text: string, max = MAX_LOG_STRING): string =>
  text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;

/**
 * Characters that JSON.stringify leaves raw but that some readers take for a line break: NEL
 * (U+0085) and the other C1 controls, and the Unicode line and paragraph separators. They can only
 * occur inside JSON strings, where an escape means the same.
 */
const LINE_BREAKING = /[\u0080-\u009f\u2028\u2029]/;
const ALL_LINE_BREAKING = /[\u0080-\u009f\u2028\u2029]/g;
export const escapeLineSeparators = (line: string): string =>
  LINE_BREAKING.test(line) ? line.replace(ALL_LINE_BREAKING, escapeChar) : line;
const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Streams holding lines not yet written, for the flush at exit. */
const unflushed = new Set<LineTransport>();
let exitHookInstalled = false;

/**
 * Writes each formatted line to a stream, gathered: the lines logged in one turn of the event
 * loop go out in one write at its end (a busy webhook logs a line per review; one write call,
 * a system call on stdio, for each costs more than the line itself). Whatever is pending when
 * the process exits, crash included, is written then: stdio writes are synchronous on exit.
 */
class LineTransport extends TransportStream {
  private pending = '';

  constructor(private readonly stream: NodeJS.WritableStream) {
    super();
  }

  override log(info: Record<symbol, unknown>, callback: () => void): void {
    if (this.pending === '') {
      unflushed.add(this);
      setImmediate(() => this.flush());
    }
    this.pending += `${info[MESSAGE] as string}\n`;
    if (this.pending.length > MAX_PENDING_CHARS) this.flush();
    callback();
  }

  flush(): void {
    if (this.pending === '') return;
    const lines = this.pending;
    this.pending = '';
    unflushed.delete(this);
    this.stream.write(lines);
  }

  override close(): void {
    this.flush();
  }
}

/** Lines are written once this much is pending, even before the turn ends (a big burst). */
const MAX_PENDING_CHARS = 64 * 1024;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const transport of [...unflushed]) transport.flush();
  });
}

export function createLogger(level: LogLevel = 'info', stream: NodeJS.WritableStream = process.stderr): Logger {
  installExitHook();
  return winston.createLogger({
    level,
    format: jsonLine(),
    transports: [new LineTransport(stream)],
  });
}

/**
 * One entry at `level`, through winston's public API: the logger's format, its transports and
 * their levels, as any other line. The entry object is taken over (its level is set on it).
 */
export function logEntry(logger: Logger, level: LogLevel, entry: Record<string, unknown>): void {
  if (logger.silent || !logger.isLevelEnabled(level)) return;
  entry.level = level;
  logger.log(entry as winston.LogEntry);
}

/** A logger that drops everything: for tests and library use. */
export const silentLogger = (): Logger =>
  winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
