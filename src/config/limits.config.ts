import { registerAs } from '@nestjs/config';
import { InvalidEnvironmentError, optionalString, readEnvironment } from './environment.js';

export interface LimitsConfig {
  /**
   * Limits on failures at the token, introspection and revocation endpoints:
   * failed client authentications per client and per address, failed
   * password-grant checks per account and per address. (The login page's
   * limit is always on.)
   */
  readonly failureLimits: boolean;
}

export function parseLimitsConfig(env: NodeJS.ProcessEnv): LimitsConfig {
  const raw = optionalString(env, 'FAILURE_LIMITS') ?? 'on';
  if (raw !== 'on' && raw !== 'off') {
    throw new InvalidEnvironmentError('FAILURE_LIMITS', `must be "on" or "off" (got "${raw}")`);
  }
  return { failureLimits: raw === 'on' };
}

export const limitsConfig = registerAs('limits', () => parseLimitsConfig(readEnvironment()));
