import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config.js';
import { ENTITIES } from './entities.js';
import { POSTGRES_MIGRATIONS } from './migrations/postgres/index.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite/index.js';

/** How long a request waits for a new PostgreSQL connection before failing with 503. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 2000;

/**
 * TypeORM options for either database. The application and ./ormconfig.ts
 * (the migration CLI) both build their data source here.
 */
export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: true,
    migrationsTableName: 'schema_migration',
    // Each migration in its own transaction: a failed one leaves the ones before it applied.
    migrationsTransactionMode: 'each',
  } as const;
  if (config.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: config.url,
      migrations: POSTGRES_MIGRATIONS,
      extra: { max: 10 },
      // A database that does not answer fails a request within this, rather than holding it.
      connectTimeoutMS: POSTGRES_CONNECT_TIMEOUT_MS,
      // A connection lost while idle (the server restarted) is dropped and logged, never thrown.
      poolErrorHandler: (error: Error) =>
        new Logger('Database').warn(`connection pool: ${error.message}`),
    };
  }
  if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.path,
    migrations: SQLITE_MIGRATIONS,
    // WAL lets readers run beside the one writer; a busy writer is waited for, not failed.
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
    },
  };
}
