import { QueryFailedError } from 'typeorm';

/**
 * Whether a write failed on a primary-key or unique constraint (PostgreSQL
 * 23505, SQLite SQLITE_CONSTRAINT_*), through TypeORM or straight from the
 * SQLite driver (the persisted-grant store's prepared statements).
 */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = error instanceof QueryFailedError ? error.driverError : error;
  const code = (driverError as { code?: unknown } | null | undefined)?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}
