import { existsSync } from 'node:fs';

/**
 * The one place that reads process.env. A `.env` file in the working
 * directory is loaded first when present; real environment variables win.
 */
export function readEnvironment(): NodeJS.ProcessEnv {
  if (!environmentFileLoaded) {
    environmentFileLoaded = true;
    if (existsSync('.env')) process.loadEnvFile('.env');
  }
  return process.env;
}

let environmentFileLoaded = false;

/** A configuration value that cannot be used; its message is one line naming the variable. */
export class InvalidEnvironmentError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    // A value quoted in the reason may hold a line break; escaped, the message stays one line.
    super(`Invalid configuration: ${variable} ${reason.replace(LINE_BREAKS, escapeLineBreak)}`);
    this.name = 'InvalidEnvironmentError';
  }
}

const LINE_BREAKS = /[\n\r\v\f\u0085\u2028\u2029]/g;

function escapeLineBreak(character: string): string {
  if (character === '\n') return '\\n';
  if (character === '\r') return '\\r';
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function optionalString(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function readPort(env: NodeJS.ProcessEnv): number {
  const raw = optionalString(env, 'PORT') ?? '3000';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new InvalidEnvironmentError('PORT', `must be an integer from 1 to 65535 (got "${raw}")`);
  }
  return port;
}
