import BetterSqlite3 from 'better-sqlite3';
import { GRANT_COLUMNS } from './grant-rows.js';
import { SqliteGrantRows } from './sqlite-grant-rows.js';

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

describe('SqliteGrantRows (one transaction per turn)', () => {
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

  it('when several lookups arrive in one turn then each caller gets its own row, read after the turn', async () => {
    const db = database();
    const rows = new SqliteGrantRows(db);
    await Promise.all(['a', 'b'].map((id) => rows.insert(row(id, `hash-${id}`))));
    const lookups = ['hash-a', 'hash-b', 'hash-a', 'none'].map((hash) => rows.selectByHash(hash));
    // Written in the same turn as the lookups were asked: they see it.
    db.prepare(`UPDATE persisted_grant SET payload = '{"late":1}' WHERE id = 'b'`).run();

    const found = await Promise.all(lookups);
    expect(found.map((entry) => entry?.id)).toEqual(['a', 'b', 'a', undefined]);
    expect(found[1]!.payload).toBe('{"late":1}');
    expect(found[0]).not.toBe(found[2]);
  });

  it('when several consumes arrive in one turn then each live row is consumed once, by the first to ask, with its payload', async () => {
    const db = database();
    const rows = new SqliteGrantRows(db);
    // expires_at is 2 in row(): consumes at time 1 are in time, at 5 too late.
    await Promise.all(['a', 'b', 'c'].map((id) => rows.insert(row(id, `hash-${id}`))));
    const results = rows.consume({ id: 'a', now: 1, payload: '{"first":true}', expiresAt: 50 });
    const all = await Promise.all([
      results,
      rows.consume({ id: 'a', now: 1, payload: '{"second":true}', expiresAt: 60 }),
      rows.consume({ id: 'b', now: 5, payload: null, expiresAt: null }),
      rows.consume({ id: 'c', now: 1, payload: null, expiresAt: null }),
      rows.consume({ id: 'missing', now: 1, payload: null, expiresAt: null }),
    ]);

    expect(all).toEqual([true, false, false, true, false]);
    expect(
      db
        .prepare(
          'SELECT id, CAST(consumed_at AS INTEGER) AS consumed_at, CAST(expires_at AS INTEGER) AS expires_at, payload FROM persisted_grant ORDER BY id',
        )
        .all(),
    ).toEqual([
      // The winner's expiry and payload; a null expiry keeps the row's.
      { id: 'a', consumed_at: 1, expires_at: 50, payload: '{"first":true}' },
      { id: 'b', consumed_at: null, expires_at: 2, payload: '{}' },
      { id: 'c', consumed_at: 1, expires_at: 2, payload: '{}' },
    ]);
    expect(await rows.consume({ id: 'c', now: 1, payload: null, expiresAt: null })).toBe(false);
  });

  it('when a consume is asked then the row is unchanged until the turn ends', async () => {
    const db = database();
    const rows = new SqliteGrantRows(db);
    await rows.insert(row('a', 'hash-a'));
    const consumed = rows.consume({ id: 'a', now: 1, payload: null, expiresAt: null });
    expect(db.prepare(`SELECT consumed_at FROM persisted_grant WHERE id = 'a'`).get()).toEqual({
      consumed_at: null,
    });
    expect(await consumed).toBe(true);
  });

  it('when rows are deleted by a match then exactly the rows equal to every given field (and of a given type) go', async () => {
    const db = database();
    const rows = new SqliteGrantRows(db);
    const stored = (id: string, type: string, subject: string, clientId: string, family: string) =>
      rows.insert([id, type, `hash-${id}`, clientId, subject, family, 1, 2, null, '{}']);
    await Promise.all([
      stored('a', 'refresh_token', 'alice', 'app', 'f1'),
      stored('b', 'access_token', 'alice', 'app', 'f1'),
      stored('c', 'consent', 'alice', 'app', 'f2'),
      stored('d', 'refresh_token', 'alice', 'other', 'f3'),
      stored('e', 'refresh_token', 'bob', 'app', 'f4'),
    ]);
    const left = () =>
      (db.prepare('SELECT id FROM persisted_grant ORDER BY id').all() as { id: string }[]).map(
        (row) => row.id,
      );

    expect(
      await rows.deleteMatching({
        subject: 'alice',
        clientId: 'app',
        types: ['refresh_token', 'consent'],
      }),
    ).toBe(2);
    expect(left()).toEqual(['b', 'd', 'e']);
    expect(await rows.deleteMatching({ familyId: 'f1' })).toBe(1);
    expect(await rows.deleteMatching({ id: 'none' })).toBe(0);
    expect(left()).toEqual(['d', 'e']);
    await expect(rows.deleteMatching({})).rejects.toThrow('at least one condition');
    expect(left()).toEqual(['d', 'e']);
  });

  it('when a family is taken then its rows are deleted in one statement and come back as they were', async () => {
    const db = database();
    const rows = new SqliteGrantRows(db);
    await Promise.all([
      rows.insert(['a', 'refresh_token', 'hash-a', 'app', 'alice', 'f1', 1, 2, 1, '{"x":1}']),
      rows.insert(['b', 'access_token', 'hash-b', 'app', 'alice', 'f1', 1, 2, null, '{}']),
      rows.insert(['c', 'refresh_token', 'hash-c', 'app', 'alice', 'f2', 1, 2, null, '{}']),
    ]);

    const taken = await rows.takeFamily('f1');

    expect(
      taken
        .map((row) => [String(row.id), String(row.payload)] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    ).toEqual([
      ['a', '{"x":1}'],
      ['b', '{}'],
    ]);
    expect(db.prepare('SELECT id FROM persisted_grant').all()).toEqual([{ id: 'c' }]);
    expect(await rows.takeFamily('f1')).toEqual([]);
  });
});
