import { handleKey } from '../../support/expectations.js';
import type { TestDatabase } from '../../support/test-database.js';

/** A persisted_grant row as both databases return it, with times as numbers and the payload parsed. */
export interface PersistedGrantRow {
  readonly id: string;
  readonly type: string;
  readonly handle_hash: string;
  readonly client_id: string;
  readonly subject: string | null;
  readonly family_id: string;
  readonly created_at: number;
  readonly expires_at: number;
  readonly consumed_at: number | null;
  readonly payload: Record<string, any>;
}

/** What the service stores instead of a handle (see handleKey). */
export const handleHash = handleKey;

/** Every persisted_grant row, in a stable order (to compare before and after a request). */
export async function allGrantRows(db: TestDatabase): Promise<PersistedGrantRow[]> {
  return (await db.query('SELECT * FROM persisted_grant ORDER BY id')).map(normalize);
}

/** The row of one handle (refresh token, reference access token), or undefined. */
export async function grantRowOf(
  db: TestDatabase,
  handle: string,
): Promise<PersistedGrantRow | undefined> {
  const rows = await db.query('SELECT * FROM persisted_grant WHERE handle_hash = $1', [
    handleHash(handle),
  ]);
  return rows.length === 0 ? undefined : normalize(rows[0]!);
}

/** The rows of one family, oldest first. */
export async function familyRows(db: TestDatabase, familyId: string): Promise<PersistedGrantRow[]> {
  const rows = await db.query(
    'SELECT * FROM persisted_grant WHERE family_id = $1 ORDER BY created_at, id',
    [familyId],
  );
  return rows.map(normalize);
}

/** Moves a handle's expiry (epoch ms), standing in for the passing of time. */
export async function setExpiresAt(
  db: TestDatabase,
  handle: string,
  expiresAt: number,
): Promise<void> {
  await db.query('UPDATE persisted_grant SET expires_at = $1 WHERE handle_hash = $2', [
    expiresAt,
    handleHash(handle),
  ]);
}

function normalize(row: Record<string, unknown>): PersistedGrantRow {
  // PostgreSQL returns bigint as a string; the payload is a JSON text column on both databases.
  const time = (value: unknown) => (value === null ? null : Number(value));
  return {
    ...(row as unknown as PersistedGrantRow),
    created_at: Number(row.created_at),
    expires_at: Number(row.expires_at),
    consumed_at: time(row.consumed_at),
    payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
  };
}
