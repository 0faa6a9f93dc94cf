import type { Pool, QueryResultRow } from 'pg';
import { PerTurnBatch } from '../common/runtime/per-turn-batch.js';
import { isDatabaseUnavailable } from '../database/database-unavailable.js';
import { isDeadlock } from '../database/deadlock.js';
import { queryOnPool } from '../database/pooled-query.js';
import {
  deleteStatement,
  GRANT_COLUMNS,
  type GrantMatch,
  type GrantRows,
  type RawGrantRow,
  type RowConsume,
  statements,
} from './grant-rows.js';

/** How often a DELETE chosen as a deadlock victim runs before its error is the caller's. */
const DELETE_ATTEMPTS = 3;

/** The pause before a deadlock victim runs again, times its attempt. */
const DEADLOCK_PAUSE_MS = 20;

/**
 * A revocation locks several rows, and so does a turn's batched consume, each
 * in its own order: when PostgreSQL ends the DELETE as a deadlock's victim it
 * runs again, rather than fail the request with the rows still live. It
 * pauses first: run at once, it could take a row its victor was about to get
 * (the victor's request waits in the same queue) and make the same cycle
 * again, which a slow CI machine did three times in a row.
 */
async function retriedOnDeadlock<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (attempt === DELETE_ATTEMPTS || !isDeadlock(error)) throw error;
      await new Promise((resume) => setTimeout(resume, DEADLOCK_PAUSE_MS * attempt));
    }
  }
}

const sql = statements((index) => `$${index + 1}`);

/** The rows of an array of hashes: one turn's lookups. */
const SELECT_ANY = `SELECT ${GRANT_COLUMNS.join(', ')} FROM persisted_grant WHERE handle_hash = ANY($1)`;

/** Each column's type, for the arrays of a batched insert. */
const ARRAY_TYPES: Record<(typeof GRANT_COLUMNS)[number], string> = {
  id: 'varchar',
  type: 'varchar',
  handle_hash: 'varchar',
  client_id: 'varchar',
  subject: 'varchar',
  family_id: 'varchar',
  created_at: 'bigint',
  expires_at: 'bigint',
  consumed_at: 'bigint',
  payload: 'text',
};

/**
 * The inserts of one turn, one array per column: one statement text for any
 * number of rows, so it is parsed once per connection. A row that clashes
 * with a unique index is skipped (and is not in RETURNING).
 */
const INSERT_MANY = `INSERT INTO persisted_grant (${GRANT_COLUMNS.join(', ')})
  SELECT * FROM unnest(${GRANT_COLUMNS.map((column, index) => `$${index + 1}::${ARRAY_TYPES[column]}[]`).join(', ')})
  ON CONFLICT DO NOTHING RETURNING id`;

/** The consumes of one turn; a row is returned only by the update that consumed it. */
const CONSUME_MANY = `UPDATE persisted_grant AS g SET consumed_at = c.now, payload = COALESCE(c.payload, g.payload),
  expires_at = COALESCE(c.expires_at, g.expires_at)
  FROM unnest($1::varchar[], $2::bigint[], $3::text[], $4::bigint[]) AS c(id, now, payload, expires_at)
  WHERE g.id = c.id AND g.consumed_at IS NULL AND g.expires_at > c.now RETURNING g.id`;

/** The deletes by id of one turn (revocations of reference tokens); a row is returned by the delete that removed it. */
const DELETE_ANY = `DELETE FROM persisted_grant WHERE id = ANY($1::varchar[]) RETURNING id`;

/**
 * The hot statements, named: node-postgres then parses each once per pooled
 * connection and afterwards sends only Bind and Execute, so the server skips
 * parsing and planning on every token request.
 */
const NAMED = {
  insert: ['grant_insert', sql.insert],
  insertMany: ['grant_insert_many', INSERT_MANY],
  select: ['grant_select', sql.select],
  selectAny: ['grant_select_any', SELECT_ANY],
  consume: ['grant_consume', sql.consume],
  consumeMany: ['grant_consume_many', CONSUME_MANY],
  deleteAny: ['grant_delete_any', DELETE_ANY],
  deleteExpired: ['grant_delete_expired', sql.deleteExpired],
  takeFamily: ['grant_take_family', sql.takeFamily],
} as const satisfies Record<string, readonly [string, string]>;

/** Positions of the id and the handle's hash in GRANT_COLUMNS. */
const ID = GRANT_COLUMNS.indexOf('id');
const HANDLE_HASH = GRANT_COLUMNS.indexOf('handle_hash');

/** Rows per batched INSERT: bounds one statement's size and the time its locks are held. */
const MAX_ROWS_PER_INSERT = 500;

interface PendingInsert {
  readonly values: readonly unknown[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface PendingLookup {
  readonly handleHash: string;
  readonly resolve: (row: RawGrantRow | undefined) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingDelete {
  readonly id: string;
  readonly resolve: (deleted: number) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingConsume extends RowConsume {
  readonly resolve: (consumed: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * PostgreSQL: on the data source's node-postgres pool, which runs statements
 * concurrently, with group commit like SQLite's: the inserts that arrive in
 * one turn of the event loop go to the server as one INSERT (one round
 * trip, one commit). A row that clashes with a unique index is skipped by
 * that statement (ON CONFLICT DO NOTHING) and then inserted alone, to fail
 * with its own unique violation; a statement that fails otherwise, with the
 * database reachable, is retried row by row; so each insert still succeeds
 * or fails on its own. Lookups by hash and consumes are grouped the same
 * way, one statement per turn, and so are deletes by id alone (the
 * revocation of a reference token). The driver's errors reach the callers
 * as they are (isUniqueViolation, isDeadlock and isDatabaseUnavailable
 * read them); TypeORM is not in this path, whose query runner cost a pool
 * checkout and a result wrapping per statement. Statements go through
 * queryOnPool, so a clash or another refused statement hands its
 * connection back to the pool rather than closing it.
 */
export class PooledGrantRows implements GrantRows {
  private readonly inserts = new PerTurnBatch<PendingInsert>((batch) => this.flush(batch));
  private readonly lookups = new PerTurnBatch<PendingLookup>((batch) => void this.lookUp(batch));
  private readonly consumes = new PerTurnBatch<PendingConsume>(
    (batch) => void this.consumeAll(batch),
  );
  private readonly deletesById = new PerTurnBatch<PendingDelete>(
    (batch) => void this.deleteAll(batch),
  );

  constructor(private readonly pool: Pool) {}

  insert(values: readonly unknown[]): Promise<void> {
    return new Promise((resolve, reject) => this.inserts.add({ values, resolve, reject }));
  }

  selectByHash(handleHash: string): Promise<RawGrantRow | undefined> {
    return new Promise((resolve, reject) => this.lookups.add({ handleHash, resolve, reject }));
  }

  consume(change: RowConsume): Promise<boolean> {
    return new Promise((resolve, reject) => this.consumes.add({ ...change, resolve, reject }));
  }

  async deleteExpired(now: number, limit: number): Promise<number> {
    return (await this.run(NAMED.deleteExpired, [now, limit])).rowCount ?? 0;
  }

  deleteMatching(match: GrantMatch): Promise<number> {
    if (isIdAlone(match)) {
      return new Promise((resolve, reject) =>
        this.deletesById.add({ id: match.id, resolve, reject }),
      );
    }
    // Revocations of families, clients and users: rare, and of varying shape, so not named.
    const { sql: text, values } = deleteStatement(match, (index) => `$${index + 1}`);
    return retriedOnDeadlock(
      async () => (await queryOnPool(this.pool, { text, values })).rowCount ?? 0,
    );
  }

  takeFamily(familyId: string): Promise<RawGrantRow[]> {
    return retriedOnDeadlock(
      async () => (await this.run<RawGrantRow>(NAMED.takeFamily, [familyId])).rows,
    );
  }

  private run<R extends QueryResultRow = QueryResultRow>(
    [name, text]: readonly [string, string],
    values: unknown[],
  ) {
    return queryOnPool<R>(this.pool, { name, text, values });
  }

  /** The lookups of one turn in one statement; each caller gets its own row. */
  private async lookUp(batch: PendingLookup[]): Promise<void> {
    const hashes = [...new Set(batch.map((lookup) => lookup.handleHash))];
    let rows: RawGrantRow[];
    try {
      rows = (
        hashes.length === 1
          ? await this.run<RawGrantRow>(NAMED.select, hashes)
          : await this.run<RawGrantRow>(NAMED.selectAny, [hashes])
      ).rows;
    } catch (error) {
      for (const lookup of batch) lookup.reject(error);
      return;
    }
    if (batch.length === 1) return batch[0]!.resolve(rows[0]);
    const found = new Map(rows.map((row) => [String(row.handle_hash), row]));
    for (const lookup of batch) lookup.resolve(found.get(lookup.handleHash));
  }

  /**
   * The deletes by id of one turn as one DELETE (one round trip and one
   * commit, where each was a transaction of its own). A batch can deadlock
   * with a batched consume, which a lone delete could not: one that is still
   * a deadlock's victim after its retries, or fails otherwise with the
   * database reachable, is done row by row, so each delete fails only on its
   * own. Of two deletes of one row in a turn, the first to ask gets the row.
   */
  private async deleteAll(batch: PendingDelete[]): Promise<void> {
    const ids = [...new Set(batch.map((item) => item.id))];
    let deleted: Set<string>;
    try {
      deleted = await this.deleteIds(ids);
    } catch (error) {
      if (ids.length === 1 || isDatabaseUnavailable(error)) {
        for (const item of batch) item.reject(error);
        return;
      }
      await Promise.all(ids.map((id) => this.deleteAll(batch.filter((item) => item.id === id))));
      return;
    }
    for (const item of batch) item.resolve(deleted.delete(item.id) ? 1 : 0);
  }

  private async deleteIds(ids: string[]): Promise<Set<string>> {
    const { rows } = await retriedOnDeadlock(() =>
      this.run<{ id: string }>(NAMED.deleteAny, [ids]),
    );
    return new Set(rows.map((row) => String(row.id)));
  }

  /**
   * The consumes of one turn as one UPDATE (one round trip and one commit,
   * where each was a transaction of its own). A second consume of the same
   * row in the turn waits for the first, as it would have on the row's lock:
   * when the first consumed the row or found it gone, the second has lost;
   * when the first failed, the repeats are tried one after another. A batch
   * statement that fails with the database reachable (two batches
   * deadlocking on each other's rows, say) is retried row by row.
   */
  private async consumeAll(batch: PendingConsume[]): Promise<void> {
    const first = new Map<string, PendingConsume>();
    const repeats = new Map<string, PendingConsume[]>();
    for (const item of batch) {
      if (!first.has(item.id)) first.set(item.id, item);
      else repeats.set(item.id, [...(repeats.get(item.id) ?? []), item]);
    }
    // Rows locked in id order by every batch, which makes deadlocks rarer.
    const items = [...first.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const failed = await this.consumeEach(items);
    for (const [id, waiting] of repeats) {
      // Only now: a loser acts on its loss (a replayed code revokes its
      // family, the code's row with it), which must come after the winner.
      if (!failed.has(id)) for (const item of waiting) item.resolve(false);
      else void this.consumeInTurn(waiting);
    }
  }

  /** Consumes distinct rows; the ids whose consume failed (its caller has the error). */
  private async consumeEach(items: PendingConsume[]): Promise<Set<string>> {
    const failed = new Set<string>();
    if (items.length === 1) {
      if (!(await this.consumeOne(items[0]!))) failed.add(items[0]!.id);
      return failed;
    }
    let rows: { id: string }[];
    try {
      ({ rows } = await this.run<{ id: string }>(NAMED.consumeMany, [
        items.map((item) => item.id),
        items.map((item) => item.now),
        items.map((item) => item.payload),
        items.map((item) => item.expiresAt),
      ]));
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        for (const item of items) item.reject(error);
        return new Set(items.map((item) => item.id));
      }
      const outcomes = await Promise.all(items.map((item) => this.consumeOne(item)));
      items.forEach((item, index) => {
        if (!outcomes[index]) failed.add(item.id);
      });
      return failed;
    }
    const consumed = new Set(rows.map((row) => String(row.id)));
    for (const item of items) item.resolve(consumed.has(item.id));
    return failed;
  }

  /** One after another, until one settles the row (consumed or found gone); the rest then lose. */
  private async consumeInTurn(waiting: PendingConsume[]): Promise<void> {
    for (const [index, item] of waiting.entries()) {
      if (await this.consumeOne(item)) {
        for (const loser of waiting.slice(index + 1)) loser.resolve(false);
        return;
      }
    }
  }

  /** One consume on its own; false when it failed (and its caller got the error). */
  private async consumeOne(item: PendingConsume): Promise<boolean> {
    let affected: number;
    try {
      affected =
        (await this.run(NAMED.consume, [item.now, item.payload, item.id, item.expiresAt]))
          .rowCount ?? 0;
    } catch (error) {
      item.reject(error);
      return false;
    }
    item.resolve(affected === 1);
    return true;
  }

  private flush(batch: PendingInsert[]): void {
    for (let start = 0; start < batch.length; start += MAX_ROWS_PER_INSERT) {
      void this.write(batch.slice(start, start + MAX_ROWS_PER_INSERT));
    }
  }

  private async write(batch: PendingInsert[]): Promise<void> {
    if (batch.length === 1) return this.writeOne(batch[0]!);
    // Every batch takes the unique index's locks in the same order, so two never deadlock.
    batch.sort((a, b) => (String(a.values[HANDLE_HASH]) < String(b.values[HANDLE_HASH]) ? -1 : 1));
    let written: Set<string>;
    try {
      const { rows } = await this.run<{ id: string }>(
        NAMED.insertMany,
        GRANT_COLUMNS.map((_, column) => batch.map((item) => item.values[column])),
      );
      written = new Set(rows.map((row) => row.id));
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        for (const item of batch) item.reject(error);
        return;
      }
      // A row wrong in some other way failed the statement: each on its own, so only it fails.
      await Promise.all(batch.map((item) => this.writeOne(item)));
      return;
    }
    for (const item of batch) {
      // A row skipped for a clash is tried alone, to fail with its own unique violation.
      if (written.has(String(item.values[ID]))) item.resolve();
      else void this.writeOne(item);
    }
  }

  private async writeOne(item: PendingInsert): Promise<void> {
    try {
      await this.run(NAMED.insert, [...item.values]);
      item.resolve();
    } catch (error) {
      item.reject(error);
    }
  }
}

/** A match by id and nothing else: what a turn's deletes can share one statement for. */
function isIdAlone(match: GrantMatch): match is GrantMatch & { readonly id: string } {
  return (
    match.id !== undefined &&
    match.familyId === undefined &&
    match.clientId === undefined &&
    match.subject === undefined &&
    match.types === undefined
  );
}
