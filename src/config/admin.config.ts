import { registerAs } from '@nestjs/config';
import { InvalidEnvironmentError, optionalString, readEnvironment } from './environment.js';

export interface AdminConfig {
  /** The bootstrap admin client, created or updated at start-up when both are set. */
  readonly bootstrapClient:
    { readonly clientId: string; readonly clientSecret: string } | undefined;
}

export const MIN_ADMIN_SECRET_LENGTH = 32;

export function parseAdminConfig(env: NodeJS.ProcessEnv): AdminConfig {
  const clientId = optionalString(env, 'ADMIN_CLIENT_ID');
  const clientSecret = optionalString(env, 'ADMIN_CLIENT_SECRET');
  if (clientId === undefined && clientSecret === undefined) return { bootstrapClient: undefined };
  if (clientId === undefined) {
    throw new InvalidEnvironmentError('ADMIN_CLIENT_ID', 'must be set when ADMIN_CLIENT_SECRET is');
  }
  if (clientSecret === undefined) {
    throw new InvalidEnvironmentError('ADMIN_CLIENT_SECRET', 'must be set when ADMIN_CLIENT_ID is');
  }
  if (!/^[A-Za-z0-9._~-]{1,255}$/.test(clientId)) {
    throw new InvalidEnvironmentError(
      'ADMIN_CLIENT_ID',
      'must be 1 to 255 characters of A-Z a-z 0-9 . _ ~ -',
    );
  }
  if (clientSecret.length < MIN_ADMIN_SECRET_LENGTH) {
    throw new InvalidEnvironmentError(
      'ADMIN_CLIENT_SECRET',
      `must be at least ${MIN_ADMIN_SECRET_LENGTH} characters`,
    );
  }
  return { bootstrapClient: { clientId, clientSecret } };
}

export const adminConfig = registerAs('admin', () => parseAdminConfig(readEnvironment()));
