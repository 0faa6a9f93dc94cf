import type { LogLevel } from '@nestjs/common';
import type { LogLevelName } from '../config/logging.config.js';

const NEST_LEVELS: Record<LogLevelName, LogLevel[]> = {
  trace: ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'],
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
  fatal: ['fatal'],
  silent: [],
};

/**
 * Nest's levels for a pino level, so that `Logger.isLevelEnabled` answers
 * truly and disabled lines (e.g. the audit's debug lines on the token
 * endpoint's hot path) are not even built.
 */
export function nestLogLevels(level: LogLevelName): LogLevel[] {
  return NEST_LEVELS[level];
}
