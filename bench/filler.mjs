// Fills a database of the service with stored grants that belong to no one
// the benchmark uses (refresh tokens, reference tokens and consents, a third
// each, none expiring during the run), for the scale scenarios: the service's
// throughput with a million rows against an empty database. Their keys are
// shaped like the service's (issue time in hex, then 43 characters of hash),
// issued one millisecond apart before the run.
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

const TYPES_SQL = (i) =>
  `CASE ${i} % 3 WHEN 0 THEN 'refresh_token' WHEN 1 THEN 'access_token' ELSE 'consent' END`;
const PAYLOAD = JSON.stringify({
  iss: 'https://filler.example',
  sub: 'filler',
  aud: 'https://filler.example',
  client_id: 'filler',
  scope: 'openid profile email offline_access',
  jti: '00000000-0000-4000-8000-000000000000',
  iat: 1,
  exp: 2,
});

/** Inserts `rows` filler rows; resolves with the time it took, in seconds. */
export async function fillGrants(databaseUrl, rows) {
  const started = Date.now();
  const expiresAt = Date.now() + 30 * 86_400_000;
  if (databaseUrl.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO persisted_grant (id, type, handle_hash, client_id, subject, family_id, created_at, expires_at, consumed_at, payload)
         SELECT md5(random()::text || i), ${TYPES_SQL('i')}, lpad(to_hex($2::bigint - i), 12, '0') || substr(md5(random()::text) || md5(random()::text), 1, 43),
                'filler-' || (i % 100), 'user-' || (i % 50000), md5(random()::text || i), $2, $3, NULL, $4
         FROM generate_series(1, $1) AS i`,
        [rows, Date.now(), expiresAt, PAYLOAD],
      );
      await client.query('ANALYZE persisted_grant');
    } finally {
      await client.end();
    }
  } else {
    const db = new BetterSqlite3(databaseUrl.replace(/^sqlite:/, ''));
    db.pragma('busy_timeout = 10000');
    try {
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO persisted_grant (id, type, handle_hash, client_id, subject, family_id, created_at, expires_at, consumed_at, payload)
         SELECT lower(hex(randomblob(16))), ${TYPES_SQL('i')}, printf('%012x', ? - i) || substr(lower(hex(randomblob(22))), 1, 43),
                'filler-' || (i % 100), 'user-' || (i % 50000), lower(hex(randomblob(16))), ?, ?, NULL, ?
         FROM n`,
      ).run(rows, Date.now(), Date.now(), expiresAt, PAYLOAD);
      db.exec('ANALYZE persisted_grant');
    } finally {
      db.close();
    }
  }
  return (Date.now() - started) / 1000;
}

/** How many rows of one client persisted_grant holds. */
export async function countGrants(databaseUrl, clientId) {
  const sql = 'SELECT count(*) AS n FROM persisted_grant WHERE client_id = ';
  if (databaseUrl.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return Number((await client.query(`${sql}$1`, [clientId])).rows[0].n);
    } finally {
      await client.end();
    }
  }
  const db = new BetterSqlite3(databaseUrl.replace(/^sqlite:/, ''), { readonly: true });
  try {
    return db.prepare(`${sql}?`).get(clientId).n;
  } finally {
    db.close();
  }
}

/** A database of its own beside BENCH_DATABASE_URL's (PostgreSQL), created empty; and how to drop it. */
export async function siblingPostgresDatabase(databaseUrl, suffix) {
  const url = new URL(databaseUrl);
  const name = `${url.pathname.slice(1)}_${suffix}`;
  if (!/^\w+$/.test(name)) throw new Error(`cannot derive a database name from ${databaseUrl}`);
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: databaseUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
