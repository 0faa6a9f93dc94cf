import { registerAs } from '@nestjs/config';
import { InvalidEnvironmentError, optionalString, readEnvironment } from './environment.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface LoggingConfig {
  /** The lowest level written; `silent` writes nothing. */
  readonly level: LogLevelName;
}

export function parseLoggingConfig(env: NodeJS.ProcessEnv): LoggingConfig {
  const level = optionalString(env, 'LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new InvalidEnvironmentError(
      'LOG_LEVEL',
      `must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`,
    );
  }
  return { level: level as LogLevelName };
}

export const loggingConfig = registerAs('logging', () => parseLoggingConfig(readEnvironment()));
