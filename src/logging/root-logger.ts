import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevelName } from '../config/logging.config.js';
import { REDACTED_PATHS } from './log-serializers.js';

/** The DI token of the application's one pino logger. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * JSON lines: `level` as an upper-case name, an ISO time, `msg`. Known secret
 * fields are redacted should an object holding one ever be logged.
 */
export function createRootLogger(level: LogLevelName, destination?: DestinationStream): Logger {
  const options = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label.toUpperCase() }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  // Standard output written synchronously: a line is out before the next
  // thing happens (the port answering, process.exit on shutdown), never lost.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}
