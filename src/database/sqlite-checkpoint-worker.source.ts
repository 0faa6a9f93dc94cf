/**
 * The code of the SQLite checkpoint thread, as source text (run with
 * `eval: true`, so the same code serves the compiled service and the
 * TypeScript sources the tests load). workerData is { betterSqlite3: the
 * resolved path of better-sqlite3, path: the database file }.
 *
 * On a connection of its own it makes a PASSIVE checkpoint (copies the WAL
 * into the database file and syncs it, beside the writers, never waiting
 * for a lock) for each 'checkpoint' message, and answers { log,
 * checkpointed }: the WAL's pages, and how many of them are now in the
 * database file. Its first message is { ready: true }; on 'stop' it closes
 * its connection and ends; a failed checkpoint is answered { error }.
 */
export const SQLITE_CHECKPOINT_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.path, { fileMustExist: true });
parentPort.on('message', (message) => {
  if (message === 'checkpoint') {
    try {
      const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
      parentPort.postMessage({ log, checkpointed });
    } catch (error) {
      parentPort.postMessage({ error: String((error && error.message) || error) });
    }
  } else if (message === 'stop') {
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ ready: true });
`;
