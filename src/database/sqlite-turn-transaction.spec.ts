import BetterSqlite3 from 'better-sqlite3';
import { SqliteTurnTransaction } from './sqlite-turn-transaction.js';

function database(): BetterSqlite3.Database {
  const db = new BetterSqlite3(':memory:');
  db.exec('CREATE TABLE item (id TEXT PRIMARY KEY)');
  return db;
}

const ids = (db: BetterSqlite3.Database) =>
  (db.prepare('SELECT id FROM item ORDER BY id').all() as { id: string }[]).map((row) => row.id);

describe('SqliteTurnTransaction', () => {
  afterEach(() => vi.useRealTimers());

  it('when several items arrive in one turn then they run in one transaction and each caller gets its own result or error', async () => {
    const db = database();
    const insert = db.prepare('INSERT INTO item (id) VALUES (?)');
    const inserts = new SqliteTurnTransaction(db, (id: string) => {
      insert.run(id);
      return `${id} in ${db.inTransaction ? 'a transaction' : 'none'}`;
    });

    const results = await Promise.allSettled(['a', 'b', 'a', 'c'].map((id) => inserts.run(id)));

    expect(
      results.map((result) => (result.status === 'fulfilled' ? result.value : 'error')),
    ).toEqual(['a in a transaction', 'b in a transaction', 'error', 'c in a transaction']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
    });
    expect(ids(db)).toEqual(['a', 'b', 'c']);
  });

  it('when another transaction is open on the connection then the batch waits for it, so its rollback cannot undo the batch', async () => {
    const db = database();
    const insert = db.prepare('INSERT INTO item (id) VALUES (?)');
    const inserts = new SqliteTurnTransaction(db, (id: string) => insert.run(id).changes);
    db.exec('BEGIN');
    db.prepare(`INSERT INTO item (id) VALUES ('theirs')`).run();
    let settled = false;
    const mine = inserts.run('mine').finally(() => (settled = true));

    await new Promise((wait) => setTimeout(wait, 30));
    expect(settled).toBe(false);
    db.exec('ROLLBACK');

    expect(await mine).toBe(1);
    expect(ids(db)).toEqual(['mine']);
  });

  it('when another transaction stays open for over 5 s then the batch fails and writes nothing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    const db = database();
    const insert = db.prepare('INSERT INTO item (id) VALUES (?)');
    const inserts = new SqliteTurnTransaction(db, (id: string) => insert.run(id).changes);
    db.exec('BEGIN');
    const mine = inserts.run('mine');
    const outcome = mine.then(
      () => 'written',
      (error: Error) => error.message,
    );

    await new Promise((wait) => setImmediate(wait));
    await vi.advanceTimersByTimeAsync(5_100);

    expect(await outcome).toBe('a transaction held the SQLite connection for over 5000 ms');
    db.exec('ROLLBACK');
    expect(ids(db)).toEqual([]);
  });

  it("when an item's error ends the whole transaction then every item of the batch fails and nothing is written", async () => {
    const db = database();
    const insert = db.prepare('INSERT INTO item (id) VALUES (?)');
    const inserts = new SqliteTurnTransaction(db, (id: string) => {
      // What SQLite does on a full disk or an I/O error: the transaction is rolled back.
      if (id === 'fatal') {
        db.exec('ROLLBACK');
        throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      }
      return insert.run(id).changes;
    });

    const results = await Promise.allSettled(['a', 'fatal', 'b'].map((id) => inserts.run(id)));

    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(ids(db)).toEqual([]);
  });
});
