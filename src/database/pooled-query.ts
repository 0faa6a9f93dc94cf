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
  // While checked out the client has no listener of the pool's: a socket lost
  // mid-statement is emitted as 'error' (an uncaught exception without one),
  // besides failing the statement. The client is then no longer queryable,
  // and pg-pool drops it at release.
  client.on('error', ignoreClientError);
  try {
    const result = await client.query<R>(statement);
    client.off('error', ignoreClientError);
    client.release();
    return result;
  } catch (error) {
    client.off('error', ignoreClientError);
    client.release(leavesConnectionUsable(error) ? undefined : (error as Error));
    throw error;
  }
}

function ignoreClientError(): void {
  // The statement's own rejection carries the error to the caller.
}

/** SQLSTATEs of a prepared statement the connection can no longer use. */
const STALE_PREPARED_STATEMENT: ReadonlySet<string> = new Set(['0A000', '26000']);

/**
 * An ERROR the server sent about the statement: node-postgres's
 * DatabaseError, with a five-character SQLSTATE (matched by shape, so that
 * a SQLite deployment never loads the pg package). Its connection is then
 * kept, unless the error is one of a server going away (class 08,
 * 57P01-57P03, 53300), an internal error (class XX), or one about the
 * connection's prepared statements: "cached plan must not change result
 * type" after a migration (0A000) or a statement the server no longer has
 * (26000, say after a pooler's DISCARD ALL), since node-postgres would go
 * on using its prepared statement on that connection; a new connection
 * prepares it afresh. FATAL and PANIC end the connection. The severity
 * node-postgres reports is in the server's language: on a server that
 * does not answer in English nothing is kept, as pool.query kept nothing.
 */
export function leavesConnectionUsable(error: unknown): boolean {
  const { severity, code } = (error ?? {}) as { severity?: unknown; code?: unknown };
  return (
    severity === 'ERROR' &&
    typeof code === 'string' &&
    /^[0-9A-Z]{5}$/.test(code) &&
    !code.startsWith('XX') &&
    !STALE_PREPARED_STATEMENT.has(code) &&
    !isDatabaseUnavailable(error)
  );
}
