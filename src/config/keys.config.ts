import { registerAs } from '@nestjs/config';
import { InvalidEnvironmentError, optionalString, readEnvironment } from './environment.js';

export interface KeysConfig {
  /** Encrypts private signing keys at rest; unset = generated and kept beside the data. */
  readonly encryptionSecret: string | undefined;
}

export const MIN_KEY_ENCRYPTION_SECRET_LENGTH = 32;

export function parseKeysConfig(env: NodeJS.ProcessEnv): KeysConfig {
  const secret = optionalString(env, 'KEY_ENCRYPTION_SECRET');
  if (secret !== undefined && secret.length < MIN_KEY_ENCRYPTION_SECRET_LENGTH) {
    throw new InvalidEnvironmentError(
      'KEY_ENCRYPTION_SECRET',
      `must be at least ${MIN_KEY_ENCRYPTION_SECRET_LENGTH} characters`,
    );
  }
  return { encryptionSecret: secret };
}

export const keysConfig = registerAs('keys', () => parseKeysConfig(readEnvironment()));
