import type { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { isDatabaseUnavailable } from './database-unavailable.js';

/**
 * One statement on a connection of the pool, which goes back to the pool
 * even when the server refused the statement.
 *
 * `pool.query` hands a connection back with the statement's error, and
 * pg-pool closes every connection handed back with an error: each unique
 * violation (a replayed assertion's jti, a clashing handle) cost a new
 * connection, a backend process forked and authenticated, about 24 ms here
 * against 0.7 ms for the failed INSERT itself, one after another. After an
 * error the server sent as a message (a DatabaseError, not a fatal one),
 * the connection is in a known state, ready for the next statement: the
 * failed statement's implicit transaction is rolled back. A connection
 * that broke, or that the server is closing, is still dropped (pg-pool
 * also drops one that is no longer queryable).
 */
export async function queryOnPool<R extends QueryResultRow = QueryResultRow>(
  pool: Pool,
  statement: QueryConfig,
): Promise<QueryResult<R>> {
  const client = await pool.connect();
  try {
    const result = await client.query<R>(statement);
    client.release();
    return result;
  } catch (error) {
    client.release(leavesConnectionUsable(error) ? undefined : (error as Error));
    throw error;
  }
}

/**
 * An error the server sent about the statement: node-postgres's
 * DatabaseError, with a severity and a five-character SQLSTATE (matched by
 * shape, so that a SQLite deployment never loads the pg package). Not one
 * of a server that is going away (class 08, 57P01-57P03, 53300), an
 * internal error (class XX), or a FATAL or PANIC one: their connection is
 * dropped. (The severity field is in the server's language; the SQLSTATE
 * is what decides.)
 */
export function leavesConnectionUsable(error: unknown): boolean {
  const { severity, code } = (error ?? {}) as { severity?: unknown; code?: unknown };
  return (
    typeof severity === 'string' &&
    severity !== 'FATAL' &&
    severity !== 'PANIC' &&
    typeof code === 'string' &&
    /^[0-9A-Z]{5}$/.test(code) &&
    !code.startsWith('XX') &&
    !isDatabaseUnavailable(error)
  );
}
