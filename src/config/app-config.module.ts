import { ConfigModule } from '@nestjs/config';
import { adminConfig } from './admin.config.js';
import { databaseConfig } from './database.config.js';
import { keysConfig } from './keys.config.js';
import { lifecycleConfig } from './lifecycle.config.js';
import { limitsConfig } from './limits.config.js';
import { loggingConfig } from './logging.config.js';
import { redisConfig } from './redis.config.js';
import { serverConfig } from './server.config.js';
import { tokensConfig } from './tokens.config.js';

/** Every configuration namespace, in one list so start-up can check them all first. */
export const CONFIG_NAMESPACES = [
  serverConfig,
  databaseConfig,
  redisConfig,
  adminConfig,
  tokensConfig,
  keysConfig,
  loggingConfig,
  lifecycleConfig,
  limitsConfig,
] as const;

/**
 * Runs every namespace's parser; throws InvalidEnvironmentError on the first
 * bad value, before any part of the application starts.
 */
export function validateConfiguration(): void {
  for (const load of CONFIG_NAMESPACES) load();
}

export const AppConfigModule = ConfigModule.forRoot({
  isGlobal: true,
  ignoreEnvFile: true, // readEnvironment() loads .env itself, once
  load: [...CONFIG_NAMESPACES],
});
