import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AUTOMATIC_CHECKPOINT_PAGES,
  DEFAULT_CHECKPOINTS,
  SqliteCheckpointer,
} from './sqlite-checkpointer.js';

/** A silent logger that keeps what it was told. */
class KeptLogger {
  readonly warnings: string[] = [];
  warn(message: string): void {
    this.warnings.push(message);
  }
}

describe('SqliteCheckpointer: WAL checkpoints on a thread of their own', () => {
  let directory: string;
  let path: string;
  let db: Database.Database;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'checkpoints-'));
    path = join(directory, 'grants.sqlite');
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(
      'CREATE TABLE grant_row (id TEXT PRIMARY KEY, handle_hash TEXT UNIQUE, family_id TEXT, payload TEXT); CREATE INDEX by_family ON grant_row (family_id)',
    );
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const autocheckpoint = () => db.pragma('wal_autocheckpoint', { simple: true });
  const walBytes = () => statSync(`${path}-wal`).size;

  /** Inserts `rows` rows, `perCommit` a transaction, yielding to the event loop between commits. */
  async function write(rows: number, perCommit: number, onCommit: () => void): Promise<void> {
    const insert = db.prepare('INSERT INTO grant_row VALUES (?, ?, ?, ?)');
    const commit = db.transaction((first: number) => {
      for (let index = first; index < first + perCommit; index++) {
        // Scattered keys, as handle hashes are: every commit touches pages all over the indexes.
        const key = `${(index * 2654435761) % 4294967296}-${index}`;
        insert.run(`id-${key}`, `hash-${key}`, `family-${key}`, 'x'.repeat(200));
      }
    });
    for (let first = 0; first < rows; first += perCommit) {
      commit(first);
      onCommit();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('when the thread runs then the connection makes no checkpoint, the WAL stays bounded under steady writes, and stopping gives checkpoints back', async () => {
    const checkpointer = new SqliteCheckpointer(db, path, {
      ...DEFAULT_CHECKPOINTS,
      intervalMs: 5,
      restartPages: 300,
      idleCheckpoints: 10_000,
    });
    await checkpointer.start();
    expect(checkpointer.running).toBe(true);
    expect(autocheckpoint()).toBe(0);

    let largestWal = 0;
    await write(20_000, 10, () => (largestWal = Math.max(largestWal, walBytes())));
    // With no checkpoint these commits leave a WAL of about 300 MB here (as they do with the
    // thread's copies alone: a commit lands during each); the RESTARTs past 300 pages keep it
    // far below.
    expect(checkpointer.restarts).toBeGreaterThan(0);
    expect(largestWal).toBeLessThan(100 * 1024 * 1024);

    await checkpointer.stop();
    expect(checkpointer.running).toBe(false);
    expect(autocheckpoint()).toBe(AUTOMATIC_CHECKPOINT_PAGES);
    expect(db.prepare('SELECT count(*) AS n FROM grant_row').get()).toEqual({ n: 20_000 });
  }, 60_000);

  it('when another connection holds the WAL then the event loop finds each RESTART busy without waiting, and a warning says so after 50 in a row', async () => {
    const logger = new KeptLogger();
    const checkpointer = new SqliteCheckpointer(
      db,
      path,
      { ...DEFAULT_CHECKPOINTS, intervalMs: 2, restartPages: 50, idleCheckpoints: 10_000 },
      logger as never,
    );
    await checkpointer.start();
    // A reader's snapshot: no checkpoint can copy what is committed after it.
    const reader = new Database(path);
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) AS n FROM grant_row').get();
      await write(1_000, 10, () => undefined);
      const started = Date.now();
      while (logger.warnings.length === 0 && Date.now() - started < 20_000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(logger.warnings[0]).toMatch(/could not be started afresh 50 times in a row/);
      expect(checkpointer.restarts).toBe(0);
      // Each try gave up at once: the event loop was never held for the busy timeout.
      const turn = Date.now();
      await new Promise((resolve) => setImmediate(resolve));
      expect(Date.now() - turn).toBeLessThan(1_000);
    } finally {
      reader.exec('COMMIT');
      reader.close();
      await checkpointer.stop();
    }
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  }, 60_000);

  it('when nothing is written for a while then the thread ends and the writes checkpoint again, and a write brings the thread back', async () => {
    const checkpointer = new SqliteCheckpointer(db, path, {
      intervalMs: 5,
      restartPages: 300,
      idleCheckpoints: 5,
      wakePollMs: 20,
    });
    const until = async (condition: () => boolean) => {
      const started = Date.now();
      while (!condition() && Date.now() - started < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await checkpointer.start();
    expect(checkpointer.running).toBe(true);

    await until(() => !checkpointer.running);
    expect(checkpointer.running).toBe(false);
    expect(autocheckpoint()).toBe(AUTOMATIC_CHECKPOINT_PAGES);

    await write(100, 10, () => undefined);
    await until(() => checkpointer.running);
    expect(checkpointer.running).toBe(true);
    expect(autocheckpoint()).toBe(0);
    await checkpointer.stop();
    expect(autocheckpoint()).toBe(AUTOMATIC_CHECKPOINT_PAGES);
  }, 30_000);

  it('when the thread cannot open the database then start resolves, the connection keeps its automatic checkpoints, and a warning says so', async () => {
    const logger = new KeptLogger();
    const checkpointer = new SqliteCheckpointer(
      db,
      join(directory, 'missing', 'nowhere.sqlite'),
      { ...DEFAULT_CHECKPOINTS, intervalMs: 5, restartPages: 300, idleCheckpoints: 10_000 },
      logger as never,
    );
    await checkpointer.start();

    expect(checkpointer.running).toBe(false);
    expect(autocheckpoint()).toBe(AUTOMATIC_CHECKPOINT_PAGES);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/could not start.*the writes checkpoint again/);
    await checkpointer.stop();
  });
});
