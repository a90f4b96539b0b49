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
  try {
    (info as Record<symbol, unknown>)[MESSAGE] = JSON.stringify(info);
    return info;
  } catch {
    return safeJson.transform(info, {});
  }
});

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

const LEVEL = Symbol.for('level');
const ignore = () => {};

/**
 * `logger.log(level, entry)` without winston's object-mode streams between the logger and its
 * transports: the entry goes through the logger's format, then to each transport as
 * winston-transport would hand it over (silent, the transport's level and its own format
 * honoured). For the line written for every review: the streams cost more than the line itself.
 * The entry object is taken over (level and formatted message are set on it).
 */
export function logEntry(logger: Logger, level: LogLevel, entry: Record<string, unknown>): void {
  if (logger.silent || !logger.isLevelEnabled(level)) return;
  const info = entry as winston.Logform.TransformableInfo;
  info.level = level;
  (info as Record<symbol, unknown>)[LEVEL] = level;
  const formatted = logger.format.transform(info, logger.format.options);
  if (typeof formatted !== 'object') return; // a format filtered the entry out
  const levels = logger.levels;
  for (const transport of logger.transports) {
    if (transport.silent || levels[transport.level ?? logger.level]! < levels[level]!) continue;
    const out = transport.format
      ? transport.format.transform(Object.assign({}, formatted), transport.format.options)
      : formatted;
    if (typeof out === 'object' && transport.log) transport.log(out, ignore);
  }
}

/** A logger that drops everything: for tests and library use. */
export const silentLogger = (): Logger =>
  winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
