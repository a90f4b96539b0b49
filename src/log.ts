import winston from 'winston';

/**
 * Structured JSON logs. Custom resources can hold secrets: never log an object's content at info
 * or above; name objects by kind and namespace/name, and fields by path.
 */
export type Logger = winston.Logger;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Calls pass one object whose `msg` says what happened: `logger.info({ msg: 'review', uid, ... })`.
 * Winston would nest that object under `message`; flatten it so every field is top-level and
 * `message` is the text, as log pipelines expect.
 */
const flatten = winston.format((info) => {
  const m = info.message as unknown;
  if (typeof m === 'object' && m !== null && !Array.isArray(m)) {
    const { msg, ...fields } = m as Record<string, unknown>;
    Object.assign(info, fields);
    info.message = typeof msg === 'string' ? msg : '';
  }
  return info;
});

export function createLogger(level: LogLevel = 'info', stream: NodeJS.WritableStream = process.stderr): Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(flatten(), winston.format.timestamp(), winston.format.json({ deterministic: false })),
    transports: [new winston.transports.Stream({ stream })],
  });
}

/** A logger that drops everything: for tests and library use. */
export const silentLogger = (): Logger => winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
