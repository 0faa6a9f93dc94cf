import BetterSqlite3 from 'better-sqlite3';
import { GRANT_COLUMNS, SqliteGrantRows } from './grant-rows.js';

/** A real SQLite database (in memory) with the persisted_grant columns and its unique handle index. */
function database(): BetterSqlite3.Database {
  const db = new BetterSqlite3(':memory:');
  db.exec(
    `CREATE TABLE persisted_grant (${GRANT_COLUMNS.map((column) => `${column} ${column === 'id' ? 'TEXT PRIMARY KEY' : 'TEXT'}`).join(', ')});
     CREATE UNIQUE INDEX uq_handle ON persisted_grant (handle_hash);`,
  );
  return db;
}

const row = (id: string, handleHash: string) => [
  id,
  'access_token',
  handleHash,
  'client',
  null,
  id,
  1,
  2,
  null,
  '{}',
];

describe('SqliteGrantRows (group commit)', () => {
  it('when several inserts arrive in one turn then all are committed in one transaction before any resolves', async () => {
    const db = database();
    const rows = new SqliteGrantRows(db);
    const before = db.prepare('SELECT total_changes() AS n').get() as { n: number };
    const inserts = ['a', 'b', 'c'].map((id) => rows.insert(row(id, `hash-${id}`)));
    // Nothing is written until the turn ends.
    expect(db.prepare('SELECT count(*) AS n FROM persisted_grant').get()).toEqual({ n: 0 });
    await Promise.all(inserts);
    expect(db.prepare('SELECT count(*) AS n FROM persisted_grant').get()).toEqual({ n: 3 });
    expect((db.prepare('SELECT total_changes() AS n').get() as { n: number }).n - before.n).toBe(3);
    expect(await rows.selectByHash('hash-b')).toMatchObject({ id: 'b', handle_hash: 'hash-b' });
  });

  it('when one insert of a batch breaks the unique handle then only it fails and the others are committed', async () => {
    const db = database();
    const rows = new SqliteGrantRows(db);
    const results = await Promise.allSettled([
      rows.insert(row('a', 'same')),
      rows.insert(row('b', 'same')),
      rows.insert(row('c', 'other')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    expect(db.prepare('SELECT id FROM persisted_grant ORDER BY id').all()).toEqual([
      { id: 'a' },
      { id: 'c' },
    ]);
  });

  it('when the handle is unknown then selectByHash finds nothing', async () => {
    const rows = new SqliteGrantRows(database());
    expect(await rows.selectByHash('nothing')).toBeUndefined();
  });
});
