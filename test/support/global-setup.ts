/**
 * Run-wide set-up of the specs (Vitest's globalSetup, in the main process, before the
 * workers start): names the run, so that the template databases its workers make on
 * PostgreSQL (seededTemplate in test-app.ts) are found and dropped when it ends. Several
 * projects may run it: the first name stands, and dropping twice drops nothing more.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { templateDatabasePrefix } from './test-database.js';

export function setup(): void {
  process.env.TEST_RUN_ID ??= randomBytes(4).toString('hex');
}

export async function teardown(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [templateDatabasePrefix()],
    );
    const failures: unknown[] = [];
    for (const { datname } of rows) {
      // FORCE: a worker that died may have left a connection; the run is over.
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch((error) => {
        failures.push(error);
      });
    }
    if (failures.length > 0) throw new AggregateError(failures, 'template databases not dropped');
  } finally {
    await client.end();
  }
}
