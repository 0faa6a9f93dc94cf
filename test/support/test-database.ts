import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/** A database of its own for one test file: a fresh SQLite file, or a fresh PostgreSQL database. */
export interface TestDatabase {
  readonly kind: 'sqlite' | 'postgres';
  /** The DATABASE_URL to start the service with. */
  readonly url: string;
  /** Runs SQL against it directly, to check what the service wrote. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  return process.env.TEST_DATABASE === 'postgres' ? createPostgres() : createSqlite();
}

async function createSqlite(): Promise<TestDatabase> {
  const directory = mkdtempSync(join(tmpdir(), 'identity-test-'));
  const path = join(directory, 'identity.sqlite');
  let connection: BetterSqlite3.Database | undefined;
  return {
    kind: 'sqlite',
    url: `sqlite:${path}`,
    async query<T>(sql: string, params: unknown[] = []) {
      connection ??= new BetterSqlite3(path);
      const statement = connection.prepare(sql.replace(/\$\d+/g, '?'));
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
    },
    async drop() {
      connection?.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function createPostgres(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE=postgres needs TEST_DATABASE_URL');
  const name = `identity_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  return {
    kind: 'postgres',
    url: url.toString(),
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async drop() {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      // The service's pool may still be closing its connections: wait for them
      // rather than kill them (a killed connection errors in this process).
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          await cleanup.query(`DROP DATABASE IF EXISTS ${name}`);
          break;
        } catch (error) {
          // 55006: the database is being accessed by other users.
          if ((error as { code?: string }).code !== '55006' || attempt === 49) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await cleanup.end();
    },
  };
}
