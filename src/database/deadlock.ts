import { QueryFailedError } from 'typeorm';

/**
 * Whether PostgreSQL ended the statement as the victim of a deadlock (40P01):
 * two statements locking the same rows in different orders, e.g. a family's
 * revocation and a turn's batched consume. The victim can simply run again.
 */
export function isDeadlock(error: unknown): boolean {
  const driverError = error instanceof QueryFailedError ? error.driverError : error;
  return (driverError as { code?: unknown } | null | undefined)?.code === '40P01';
}
