/** persisted_grant's columns in the order of the raw statements (see PersistedGrantEntity). */
export const GRANT_COLUMNS = [
  'id',
  'type',
  'handle_hash',
  'client_id',
  'subject',
  'family_id',
  'created_at',
  'expires_at',
  'consumed_at',
  'payload',
] as const;

export type RawGrantRow = Record<(typeof GRANT_COLUMNS)[number], string | number | null>;

/**
 * The statements of the token hot paths, as plain parameterised SQL on the
 * driver itself (measured: the ORM's insert building cost half the
 * reference-token rate). SqliteGrantRows and PooledGrantRows implement it.
 */
export interface GrantRows {
  /** Values in GRANT_COLUMNS order. */
  insert(values: readonly unknown[]): Promise<void>;
  selectByHash(handleHash: string): Promise<RawGrantRow | undefined>;
  /**
   * Marks the row consumed at `now` if it is neither consumed nor expired,
   * replacing its payload (JSON text) and its expiry unless they are null;
   * whether it did.
   */
  consume(change: RowConsume): Promise<boolean>;
  /** Deletes up to `limit` rows expired before `now`; how many went. */
  deleteExpired(now: number, limit: number): Promise<number>;
  /** Deletes, in one statement, the rows that match every given field; how many went. */
  deleteMatching(match: GrantMatch): Promise<number>;
  /** Deletes a family's rows in one statement, and returns them as they were. */
  takeFamily(familyId: string): Promise<RawGrantRow[]>;
}

export interface RowConsume {
  readonly id: string;
  readonly now: number;
  readonly payload: string | null;
  readonly expiresAt: number | null;
}

/** Which rows a revocation deletes: those equal to every field given (and of one of `types`). */
export interface GrantMatch {
  readonly id?: string;
  readonly familyId?: string;
  readonly clientId?: string;
  readonly subject?: string;
  readonly types?: readonly string[];
}

/** GrantMatch's fields and their columns. */
export const MATCH_COLUMNS = [
  ['id', 'id'],
  ['familyId', 'family_id'],
  ['clientId', 'client_id'],
  ['subject', 'subject'],
] as const;

export function statements(placeholder: (index: number) => string): {
  insert: string;
  select: string;
  /**
   * Parameters: now, payload or null, id, expiry or null (SQLite's '?' in
   * order of appearance: now, payload, expiry, id, now).
   */
  consume: string;
  deleteExpired: string;
  takeFamily: string;
} {
  return {
    consume: `UPDATE persisted_grant SET consumed_at = ${placeholder(0)}, payload = COALESCE(${placeholder(1)}, payload), expires_at = COALESCE(${placeholder(3)}, expires_at) WHERE id = ${placeholder(2)} AND consumed_at IS NULL AND expires_at > ${placeholder(0)}`,
    takeFamily: `DELETE FROM persisted_grant WHERE family_id = ${placeholder(0)} RETURNING ${GRANT_COLUMNS.join(', ')}`,
    // The oldest expired rows first, found through the expires_at index.
    deleteExpired: `DELETE FROM persisted_grant WHERE id IN (SELECT id FROM persisted_grant WHERE expires_at < ${placeholder(0)} ORDER BY expires_at LIMIT ${placeholder(1)})`,
    insert: `INSERT INTO persisted_grant (${GRANT_COLUMNS.join(', ')}) VALUES (${GRANT_COLUMNS.map((_, index) => placeholder(index)).join(', ')})`,
    select: `SELECT ${GRANT_COLUMNS.join(', ')} FROM persisted_grant WHERE handle_hash = ${placeholder(0)}`,
  };
}

/** A DELETE of the rows that match every field given; never one without a condition. */
export function deleteStatement(
  match: GrantMatch,
  placeholder: (index: number) => string,
): { sql: string; values: string[] } {
  const conditions: string[] = [];
  const values: string[] = [];
  for (const [field, column] of MATCH_COLUMNS) {
    const value = match[field];
    if (value === undefined) continue;
    conditions.push(`${column} = ${placeholder(values.length)}`);
    values.push(value);
  }
  if (match.types !== undefined) {
    // An empty list would match no row: the caller answers that without a statement.
    if (match.types.length === 0) throw new Error('a grant delete by type needs a type');
    const first = values.length;
    conditions.push(
      `type IN (${match.types.map((_, index) => placeholder(first + index)).join(', ')})`,
    );
    values.push(...match.types);
  }
  // Never a DELETE of the whole table by mistake.
  if (conditions.length === 0) throw new Error('a grant delete needs at least one condition');
  return { sql: `DELETE FROM persisted_grant WHERE ${conditions.join(' AND ')}`, values };
}
