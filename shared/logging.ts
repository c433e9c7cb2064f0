import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear: passwords never reach a log line. Defence in
 * depth: nothing logs a password on purpose; these catch a pipeline, a data source or a
 * configuration snapshot logged whole (pino's wildcards match one level each).
 */
const REDACT = [
  'password', '*.password', '*.*.password', '*.*.*.password', 'source.password', 'target.password',
  'dataSources.*.password', '*.dataSources.*.password', '*.*.dataSources.*.password',
  'authorization', '*.authorization', 'token', '*.token',
];

export interface LoggerSettings {
  /** @default 'info' (or FERRY_LOG_LEVEL) */
  level?: string;
  /** Where lines go. @default stderr, so stdout stays for command output. */
  destination?: NodeJS.WritableStream;
}

/**
 * The root logger of a Ferry process. Pass it down and derive children with
 * `logger.child({ component, pipeline, node })`; keep messages short and constant.
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.FERRY_LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  return pino(options, settings.destination ?? pino.destination(2));
}

/** A logger that writes nothing, for unit tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
