import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
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

/**
 * A database of its own holding what `template` holds: the SQLite file copied, or a
 * PostgreSQL database made with CREATE DATABASE … TEMPLATE. Nothing may write to the
 * template meanwhile (PostgreSQL refuses while anything is connected to it).
 */
export async function copyTestDatabase(template: TestDatabase): Promise<TestDatabase> {
  return template.kind === 'postgres'
    ? createPostgres({ template: new URL(template.url).pathname.slice(1) })
    : createSqlite(template.url.slice('sqlite:'.length));
}

/**
 * An empty database to make a template of, which outlives the files of this process: a
 * SQLite file removed when the process exits, or a PostgreSQL database whose name
 * starts with templateDatabasePrefix(), which the run drops at its end
 * (test/support/global-setup.ts).
 */
export async function createTemplateDatabase(): Promise<TestDatabase> {
  if (process.env.TEST_DATABASE === 'postgres') {
    return createPostgres({ name: `${templateDatabasePrefix()}${randomBytes(6).toString('hex')}` });
  }
  const database = await createSqlite();
  process.once('exit', () => void database.drop());
  return database;
}

/** The prefix of the names of the run's template databases on PostgreSQL. */
export function templateDatabasePrefix(): string {
  return `identity_template_${process.env.TEST_RUN_ID ?? 'unnamed'}_`;
}

async function createSqlite(copyOf?: string): Promise<TestDatabase> {
  const directory = mkdtempSync(join(tmpdir(), 'identity-test-'));
  const path = join(directory, 'identity.sqlite');
  if (copyOf !== undefined) {
    // A closed database has no log: one left means a connection still open, and a torn copy.
    if (existsSync(`${copyOf}-wal`)) throw new Error(`${copyOf} is still open: its WAL is there`);
    copyFileSync(copyOf, path);
  }
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

async function createPostgres({
  name = `identity_test_${randomBytes(6).toString('hex')}`,
  template,
}: { name?: string; template?: string } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE=postgres needs TEST_DATABASE_URL');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await whileInUse(() =>
      admin.query(
        `CREATE DATABASE ${name}${template === undefined ? '' : ` TEMPLATE ${template}`}`,
      ),
    );
  } finally {
    await admin.end();
  }
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
      try {
        await whileInUse(() => cleanup.query(`DROP DATABASE IF EXISTS ${name}`));
      } finally {
        await cleanup.end();
      }
    },
  };
}

/**
 * Runs `statement` until the database it names is no longer in use (55006): a service's
 * pool may still be closing its connections. Waits for them rather than kill them (a
 * killed connection errors in this process).
 */
async function whileInUse(statement: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await statement();
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt === 49) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
