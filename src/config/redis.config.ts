import { registerAs } from '@nestjs/config';
import { InvalidEnvironmentError, optionalString, readEnvironment } from './environment.js';

export interface RedisConfig {
  /** Unset: everything shared lives in this process. */
  readonly url: string | undefined;
}

export function parseRedisConfig(env: NodeJS.ProcessEnv): RedisConfig {
  const url = optionalString(env, 'REDIS_URL');
  if (url !== undefined && !/^rediss?:\/\/[^\s]+$/.test(url)) {
    throw new InvalidEnvironmentError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  }
  return { url };
}

export const redisConfig = registerAs('redis', () => parseRedisConfig(readEnvironment()));
