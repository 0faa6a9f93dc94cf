import { registerAs } from '@nestjs/config';
import { InvalidEnvironmentError, optionalString, readEnvironment } from './environment.js';

export type DatabaseConfig =
  | { readonly type: 'sqlite'; readonly path: string }
  | { readonly type: 'postgres'; readonly url: string };

export const DEFAULT_SQLITE_PATH = './data/identity.sqlite';

export function parseDatabaseConfig(env: NodeJS.ProcessEnv): DatabaseConfig {
  const raw = optionalString(env, 'DATABASE_URL');
  if (raw === undefined) return { type: 'sqlite', path: DEFAULT_SQLITE_PATH };
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length);
    if (path === '') {
      throw new InvalidEnvironmentError('DATABASE_URL', 'must name a file after "sqlite:"');
    }
    return { type: 'sqlite', path };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      throw new InvalidEnvironmentError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { type: 'postgres', url: raw };
  }
  throw new InvalidEnvironmentError(
    'DATABASE_URL',
    'must start with "postgres://", "postgresql://" or "sqlite:"',
  );
}

export const databaseConfig = registerAs('database', () => parseDatabaseConfig(readEnvironment()));
