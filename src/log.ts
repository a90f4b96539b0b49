import winston from 'winston';

/**
 * Structured JSON logs. Custom resources can hold secrets: never log an object's content at info
 * or above; name objects by kind and namespace/name, and fields by path.
 */
export type Logger = winston.Logger;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info', stream: NodeJS.WritableStream = process.stderr): Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream })],
  });
}

/** A logger that drops everything: for tests and library use. */
export const silentLogger = (): Logger => winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
