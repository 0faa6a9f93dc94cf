import {
  type SqliteConnection,
  SqliteTurnTransaction,
} from '../database/sqlite-turn-transaction.js';
import {
  type GrantMatch,
  type GrantRows,
  deleteStatement,
  type RawGrantRow,
  type RowConsume,
  statements,
} from './grant-rows.js';

/**
 * SQLite: prepared statements on the data source's one connection. The
 * inserts, lookups, consumes and revocations (deletes) that arrive in one
 * turn of the event loop run in one transaction each kind (inserts: one WAL
 * commit instead of one each, ~2.5x the insert rate at 50 rows); each still
 * succeeds or fails on its own and is answered only once committed. A
 * repeat of the same row's consume in a turn runs after the first, and
 * loses to it.
 */
export class SqliteGrantRows implements GrantRows {
  private readonly deleteExpiredStatement;
  private readonly inserts;
  private readonly lookups;
  private readonly consumes;
  private readonly deletes;
  private readonly familyTakes;

  constructor(connection: SqliteConnection) {
    const sql = statements(() => '?');
    const insert = connection.prepare(sql.insert);
    const select = connection.prepare(sql.select);
    const consume = connection.prepare(sql.consume);
    const takeFamily = connection.prepare(sql.takeFamily);
    this.deleteExpiredStatement = connection.prepare(sql.deleteExpired);
    this.inserts = new SqliteTurnTransaction(connection, (values: readonly unknown[]) => {
      insert.run(...values);
    });
    this.lookups = new SqliteTurnTransaction(
      connection,
      (handleHash: string) => select.get(handleHash) as RawGrantRow | undefined,
    );
    this.consumes = new SqliteTurnTransaction(
      connection,
      // Positional '?' in order of appearance: now comes again for the expiry test.
      (change: RowConsume) =>
        consume.run(change.now, change.payload, change.expiresAt, change.id, change.now).changes ===
        1,
    );
    this.familyTakes = new SqliteTurnTransaction(
      connection,
      (familyId: string) => takeFamily.all(familyId) as RawGrantRow[],
    );
    const prepared = new Map<string, ReturnType<SqliteConnection['prepare']>>();
    this.deletes = new SqliteTurnTransaction(connection, (match: GrantMatch) => {
      const { sql, values } = deleteStatement(match, () => '?');
      let statement = prepared.get(sql);
      if (statement === undefined) prepared.set(sql, (statement = connection.prepare(sql)));
      return statement.run(...values).changes;
    });
  }

  insert(values: readonly unknown[]): Promise<void> {
    return this.inserts.run(values);
  }

  selectByHash(handleHash: string): Promise<RawGrantRow | undefined> {
    return this.lookups.run(handleHash);
  }

  consume(change: RowConsume): Promise<boolean> {
    return this.consumes.run(change);
  }

  takeFamily(familyId: string): Promise<RawGrantRow[]> {
    return this.familyTakes.run(familyId);
  }

  async deleteExpired(now: number, limit: number): Promise<number> {
    return this.deleteExpiredStatement.run(now, limit).changes;
  }

  /**
   * In a turn's transaction like the rest, so never inside a TypeORM
   * transaction that could roll a revocation back after it was answered.
   */
  deleteMatching(match: GrantMatch): Promise<number> {
    return this.deletes.run(match);
  }
}
