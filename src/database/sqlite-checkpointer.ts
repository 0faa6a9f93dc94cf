import { Logger } from '@nestjs/common';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { SQLITE_CHECKPOINT_WORKER_SOURCE } from './sqlite-checkpoint-worker.source.js';

const BETTER_SQLITE3_PATH = createRequire(import.meta.url).resolve('better-sqlite3');

/** SQLite's default: the commit that takes the WAL past 1,000 pages copies it back, on its own thread. */
export const AUTOMATIC_CHECKPOINT_PAGES = 1000;

/** RESTARTs in a row that found the WAL in use (by a reader elsewhere) before a warning says so. */
const BUSY_RESTARTS_WARNED = 50;

export interface SqliteCheckpointerOptions {
  /** How often the thread copies the WAL into the database file. */
  readonly intervalMs: number;
  /** WAL pages (4 KiB each) past which the event loop starts the WAL afresh. */
  readonly restartPages: number;
  /** Checkpoints in a row that found nothing new written, after which the thread ends. */
  readonly idleCheckpoints: number;
  /** How often, without a thread, the WAL file is looked at for new writes. */
  readonly wakePollMs: number;
}

export const DEFAULT_CHECKPOINTS: SqliteCheckpointerOptions = {
  intervalMs: 100,
  restartPages: 8192,
  idleCheckpoints: 30,
  wakePollMs: 1000,
};

/** The parts of the better-sqlite3 connection the checkpointer uses. */
export interface CheckpointedConnection {
  pragma(source: string, options?: { simple: boolean }): unknown;
  readonly open: boolean;
  /** A transaction is open (TypeORM's, between two of its awaits): no checkpoint now. */
  readonly inTransaction: boolean;
}

interface ThreadMessage {
  readonly ready?: boolean;
  readonly error?: string;
  /** Pages in the WAL, and how many of them are in the database file. */
  readonly log?: number;
  readonly checkpointed?: number;
}

/**
 * Takes most of SQLite's WAL checkpoint work off the event loop. By default
 * the commit that takes the WAL past 1,000 pages (4 MB) copies it into the
 * database file and syncs both, inside a request's turn. Here a thread of
 * its own copies and syncs on a second connection every 100 ms
 * (SQLITE_CHECKPOINT_WORKER_SOURCE), and the service's connection makes no
 * automatic checkpoint. Under steady writes such a copy never catches up
 * with the last commit (it copies what the WAL held when it began, and
 * reports that as all), and SQLite starts the WAL afresh only once one has:
 * so when the thread reports 8,192 pages (32 MB) or more, the event loop
 * runs a RESTART checkpoint at once, between two turns and while the thread
 * waits for its next turn, which copies the little left and lets the next
 * commit start at the beginning of the WAL. (A RESTART on the thread
 * instead polled for the write lock that the event loop kept taking, and
 * the WAL grew without bound.)
 *
 * With nothing written for a while the thread ends (rest) and starts again
 * once the WAL file changes. Should the thread fail to start or stop by
 * itself, the connection's automatic checkpoints come back, so the WAL
 * never grows unchecked.
 */
export class SqliteCheckpointer {
  private thread?: Worker;
  private stopped = false;
  private next?: NodeJS.Timeout;
  /** Without a thread (nothing was written for a while): the look at the WAL file for writes. */
  private watch?: NodeJS.Timeout;
  /** Threads told to end here, whose exit is no failure. */
  private readonly retired = new WeakSet<Worker>();
  private lastLog?: number;
  private unchangedCheckpoints = 0;
  private busyRestarts = 0;
  private restartCount = 0;
  /** The WAL's size at the last RESTART: reported again, nothing was written since. */
  private restartedAt?: number;

  constructor(
    private readonly connection: CheckpointedConnection,
    private readonly path: string,
    private readonly options: SqliteCheckpointerOptions = DEFAULT_CHECKPOINTS,
    private readonly logger: Pick<Logger, 'warn'> = new Logger('Database'),
  ) {}

  /** Whether the thread checkpoints (and the connection does only the restarts). */
  get running(): boolean {
    return this.thread !== undefined;
  }

  /** RESTART checkpoints the event loop has made (tests). */
  get restarts(): number {
    return this.restartCount;
  }

  /** Resolves once the thread checkpoints, or once it could not start (the automatic checkpoints stay). */
  start(): Promise<void> {
    return this.launch();
  }

  private launch(): Promise<void> {
    this.lastLog = undefined;
    this.unchangedCheckpoints = 0;
    return new Promise((resolve) => {
      let thread: Worker;
      try {
        thread = new Worker(SQLITE_CHECKPOINT_WORKER_SOURCE, {
          eval: true,
          workerData: { betterSqlite3: BETTER_SQLITE3_PATH, path: this.path },
        });
      } catch (error) {
        this.fallBack(error);
        resolve();
        return;
      }
      // A checkpoint thread never keeps the process alive.
      thread.unref();
      thread.on('message', (message: ThreadMessage) => {
        if (message.ready === true) {
          if (this.stopped) {
            // stop() came first: this thread was never handed over; end it.
            thread.postMessage('stop');
            resolve();
            return;
          }
          this.thread = thread;
          if (this.connection.open) this.connection.pragma('wal_autocheckpoint = 0');
          this.scheduleCheckpoint();
          resolve();
          return;
        }
        if (message.error !== undefined) {
          this.logger.warn(`WAL checkpoint failed: ${message.error}`);
        } else if (this.nothingWrittenFor(message.log)) {
          this.rest();
          return;
        } else if ((message.log ?? 0) >= this.options.restartPages) {
          this.restart(message.log!);
        }
        this.scheduleCheckpoint();
      });
      thread.once('error', (error) => {
        this.fallBack(error);
        resolve();
      });
      thread.once('exit', (code) => {
        if (!this.retired.has(thread)) {
          this.fallBack(new Error(`the thread exited with code ${code}`));
        }
        resolve();
      });
    });
  }

  /** Stops the thread (after its checkpoint in progress) and gives checkpoints back to the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.next);
    clearInterval(this.watch);
    const thread = this.thread;
    this.thread = undefined;
    this.restoreAutomaticCheckpoints();
    if (thread === undefined) return;
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    this.retired.add(thread);
    // Held open until it has closed its connection: in the CLI nothing else keeps the process alive.
    thread.ref();
    thread.postMessage('stop');
    const overdue = setTimeout(() => void thread.terminate(), 5_000);
    overdue.unref();
    await exited;
    clearTimeout(overdue);
  }

  /** Whether the WAL has not changed for idleCheckpoints checkpoints in a row. */
  private nothingWrittenFor(log: number | undefined): boolean {
    if (log === this.lastLog) return ++this.unchangedCheckpoints >= this.options.idleCheckpoints;
    this.lastLog = log;
    this.unchangedCheckpoints = 0;
    return false;
  }

  /**
   * Nothing written for a while (a read-only load, a quiet hour): the thread
   * ends, which gives its memory back (about 8 MiB), the writes checkpoint
   * themselves again, and a look at the WAL file every wakePollMs starts a
   * thread again once something is written.
   */
  private rest(): void {
    const thread = this.thread;
    this.thread = undefined;
    clearTimeout(this.next);
    this.restoreAutomaticCheckpoints();
    if (thread !== undefined) {
      this.retired.add(thread);
      thread.postMessage('stop');
    }
    void this.walChange().then((seen) => {
      if (this.stopped) return;
      this.watch = setInterval(() => {
        void this.walChange().then((now) => {
          if (this.stopped || this.thread !== undefined || now === seen) return;
          clearInterval(this.watch);
          void this.launch();
        });
      }, this.options.wakePollMs);
      this.watch.unref();
    });
  }

  /** The WAL file's modification time and size, as one string ('' when it is not there). */
  private async walChange(): Promise<string> {
    try {
      const { mtimeMs, size } = await stat(`${this.path}-wal`);
      return `${mtimeMs}:${size}`;
    } catch {
      return '';
    }
  }

  /** The thread's next checkpoint, intervalMs after its last answer: never two at once. */
  private scheduleCheckpoint(): void {
    const thread = this.thread;
    if (thread === undefined) return;
    this.next = setTimeout(() => thread.postMessage('checkpoint'), this.options.intervalMs);
    this.next.unref();
  }

  /**
   * In a message's own task, so between two turns; the thread is idle until
   * it is sent its next checkpoint. A TypeORM transaction open across its
   * awaits holds the write lock: then not now, and a reader elsewhere (the
   * CLI, a backup) that holds the WAL makes it busy: the next report tries
   * again.
   */
  private restart(walPages: number): void {
    if (!this.connection.open || this.connection.inTransaction) return;
    // The WAL's header keeps its size until the next commit starts it afresh.
    if (walPages === this.restartedAt) return;
    let busy = false;
    let previousTimeout: unknown;
    try {
      previousTimeout = this.connection.pragma('busy_timeout', { simple: true });
      // Not waiting on the event loop for a lock: busy now, the next report tries again.
      this.connection.pragma('busy_timeout = 0');
      const [result] = this.connection.pragma('wal_checkpoint(RESTART)') as { busy: number }[];
      busy = result?.busy === 1;
    } catch (error) {
      this.logger.warn(
        `WAL restart failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      if (typeof previousTimeout === 'number') this.setBusyTimeout(previousTimeout);
    }
    if (!busy) {
      this.restartCount++;
      this.restartedAt = walPages;
      this.busyRestarts = 0;
    } else if (++this.busyRestarts === BUSY_RESTARTS_WARNED) {
      this.logger.warn(
        `the WAL could not be started afresh ${BUSY_RESTARTS_WARNED} times in a row: another connection holds it (a long read elsewhere?)`,
      );
    }
  }

  private setBusyTimeout(milliseconds: number): void {
    try {
      this.connection.pragma(`busy_timeout = ${milliseconds}`);
    } catch (error) {
      this.logger.warn(
        `could not put the busy timeout back: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private fallBack(error: unknown): void {
    clearTimeout(this.next);
    clearInterval(this.watch);
    const wasRunning = this.thread !== undefined;
    this.thread = undefined;
    this.restoreAutomaticCheckpoints();
    if (this.stopped) return;
    this.stopped = true;
    this.logger.warn(
      `WAL checkpoint thread ${wasRunning ? 'stopped' : 'could not start'} (${error instanceof Error ? error.message : String(error)}): the writes checkpoint again`,
    );
  }

  private restoreAutomaticCheckpoints(): void {
    if (this.connection.open) {
      this.connection.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
    }
  }
}
