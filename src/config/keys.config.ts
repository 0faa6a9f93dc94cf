import { registerAs } from '@nestjs/config';
import { parseDuration } from './duration.js';
import { InvalidEnvironmentError, optionalString, readEnvironment } from './environment.js';

export interface KeysConfig {
  /** Encrypts private signing keys at rest; unset = generated and kept beside the data. */
  readonly encryptionSecret: string | undefined;
  /** How long a key signs before the scheduled rotation replaces it; undefined: never on a schedule. */
  readonly rotationPeriodMs: number | undefined;
}

export const DEFAULT_KEY_ROTATION_PERIOD = '90d';

export const MIN_KEY_ENCRYPTION_SECRET_LENGTH = 32;

export function parseKeysConfig(env: NodeJS.ProcessEnv): KeysConfig {
  const secret = optionalString(env, 'KEY_ENCRYPTION_SECRET');
  if (secret !== undefined && secret.length < MIN_KEY_ENCRYPTION_SECRET_LENGTH) {
    throw new InvalidEnvironmentError(
      'KEY_ENCRYPTION_SECRET',
      `must be at least ${MIN_KEY_ENCRYPTION_SECRET_LENGTH} characters`,
    );
  }
  return { encryptionSecret: secret, rotationPeriodMs: parseRotationPeriod(env) };
}

function parseRotationPeriod(env: NodeJS.ProcessEnv): number | undefined {
  const raw = optionalString(env, 'KEY_ROTATION_PERIOD') ?? DEFAULT_KEY_ROTATION_PERIOD;
  if (raw === 'off') return undefined;
  const ms = parseDuration(raw);
  if (ms === undefined) {
    throw new InvalidEnvironmentError(
      'KEY_ROTATION_PERIOD',
      `must be "off" or a duration such as 90d, 12h, 30m or 45s (got "${raw}")`,
    );
  }
  return ms;
}

export const keysConfig = registerAs('keys', () => parseKeysConfig(readEnvironment()));
