import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { SqliteConnection } from './sqlite-turn-transaction.js';

/**
 * The driver objects beneath TypeORM, for the hot paths that run their own
 * statements (the grant store, the user lookups, SQLite's key rotation).
 * The one place that knows where TypeORM keeps them.
 */
export type DriverHandle =
  | { readonly kind: 'sqlite'; readonly connection: SqliteConnection }
  | { readonly kind: 'postgres'; readonly pool: Pool };

export function driverHandle(dataSource: DataSource): DriverHandle {
  const { driver } = dataSource;
  return driver.options.type === 'better-sqlite3'
    ? {
        kind: 'sqlite',
        // TypeORM's better-sqlite3 driver: its one connection.
        connection: (driver as unknown as { databaseConnection: SqliteConnection })
          .databaseConnection,
      }
    : // TypeORM's PostgreSQL driver keeps its node-postgres pool as `master`.
      { kind: 'postgres', pool: (driver as unknown as { master: Pool }).master };
}
