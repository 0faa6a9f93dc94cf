import { decodeJwt } from 'jose';
import { createHash } from 'node:crypto';
import type { HttpResult } from './test-app.js';
import type { TestDatabase } from './test-database.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

const PRIMARY_KEYS = {
  client: 'client_id',
  app_user: 'id',
  persisted_grant: 'id',
  signing_key: 'kid',
  trusted_issuer: 'id',
} as const;

export type Table = keyof typeof PRIMARY_KEYS;
export const ALL_TABLES = Object.keys(PRIMARY_KEYS) as Table[];

/** Every row of the tables, in a stable order: what "nothing was written" compares. */
export async function snapshot(
  db: TestDatabase,
  tables: readonly Table[] = ALL_TABLES,
): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of tables) {
    rows[table] = await db.query(`SELECT * FROM ${table} ORDER BY ${PRIMARY_KEYS[table]}`);
  }
  return rows;
}

/** Runs a request that must be refused and checks that the database holds what it held before. */
export async function withoutWrites<T>(
  db: TestDatabase,
  request: () => Promise<T>,
  tables: readonly Table[] = ALL_TABLES,
): Promise<T> {
  const before = await snapshot(db, tables);
  const result = await request();
  expect(await snapshot(db, tables)).toEqual(before);
  return result;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
};

/** An RFC 9457 problem of the admin API: status, media type, no-store and the exact body. */
export function expectProblem(
  result: HttpResult,
  status: number,
  members: { detail?: unknown; errors?: unknown } = {},
): void {
  expect({ status: result.status, body: result.body }).toEqual({
    status,
    body: { type: 'about:blank', title: TITLES[status], status, ...members },
  });
  expect(result.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  expect(result.headers.get('cache-control')).toBe('no-store');
}

/** An RFC 6749 §5.2 error of a protocol endpoint: status, JSON, no-store and the exact body. */
export function expectOAuthError(
  result: HttpResult,
  status: number,
  error: string,
  description: string,
): void {
  expect({ status: result.status, body: result.body }).toEqual({
    status,
    body: { error, error_description: description },
  });
  expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
  expect(result.headers.get('cache-control')).toBe('no-store');
}

/** How the service stores secrets and most keys: SHA-256, base64url. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * What the service stores instead of a handle: its SHA-256, base64url; for
 * the handles it makes (51 base64url characters, the first 6 bytes the issue
 * time in ms) the issue time in 12 hex digits before it.
 */
export function handleKey(handle: string): string {
  if (!/^[A-Za-z0-9_-]{51}$/.test(handle)) return sha256(handle);
  const issuedAt = Buffer.from(handle, 'base64url').readUIntBE(0, 6);
  return issuedAt.toString(16).padStart(12, '0') + sha256(handle);
}

/** A revoked JWT access token: its jti is on the deny list once, for its client, until the token expires. */
export async function expectRevokedJwt(
  db: TestDatabase,
  token: string,
  clientId: string,
): Promise<void> {
  const { jti, exp } = decodeJwt(token);
  const rows = await db.query<Record<string, unknown>>(
    'SELECT type, client_id, expires_at FROM persisted_grant WHERE handle_hash = $1',
    [handleKey(jti!)],
  );
  expect(rows).toEqual([
    { type: 'revoked_jwt', client_id: clientId, expires_at: expect.anything() },
  ]);
  expect(Number(rows[0]!.expires_at)).toBe(exp! * 1000);
}
