import { hash as hashOnLibuvPool, verify as verifyOnLibuvPool } from '@node-rs/argon2';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { WorkerThreads } from '../common/runtime/worker-threads.js';
import { HASHING_WORKER_SOURCE } from './hashing-worker.source.js';

/**
 * How far below the process's own priority the hashing threads run, in nice
 * values (0 is the usual priority, 19 the lowest; the sum is capped at 19).
 * At 0 + 10 a hashing thread weighs about a tenth of a thread at 0, so
 * a token request never waits long behind a 16 ms argon2id computation,
 * while under a full load password checks still get a tenth of a core each
 * rather than none.
 */
export const HASHING_THREAD_NICE = 10;

/**
 * Jobs a hashing thread holds at once: the one it runs and the next, which
 * it starts as soon as the first is done, without waiting for the event loop
 * to hand it over (on 2 cores the event loop, busy with the answers, left
 * the threads idle between jobs). Only the running job has argon2id's memory.
 * Measured in six alternating rounds of the password benchmark on 2 cores:
 * 133, 153, 155, 126, 158 and 153 grants/s against 133, 138, 144, 124, 119
 * and 131 with one job a thread.
 */
export const HASHING_QUEUE_DEPTH = 2;

const ARGON2_PATH = createRequire(import.meta.url).resolve('@node-rs/argon2');

interface Job {
  readonly password: string;
  /** To verify against; null to hash. */
  readonly hash: string | null;
  readonly resolve: (result: string | boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Hashes and verifies passwords (argon2id) on worker threads of its own,
 * which run below the usual scheduling priority (HASHING_WORKER_SOURCE).
 * On libuv's shared pool a verification held a core at the event loop's
 * own priority for 16 ms: with password grants beside them, client
 * credentials requests on the same instance had a p99 of 22 to 24 ms
 * against 14 ms alone.
 *
 * A worker runs one job at a time and holds the next (HASHING_QUEUE_DEPTH);
 * how many are in flight is the caller's business (PasswordHasher's gate,
 * which admits two per core at most); a job that finds every worker full
 * runs on libuv's pool rather than wait.
 * A worker costs about 8 MiB of RSS, and it pays: with one worker fewer
 * than cores and the last core's job on libuv's pool, a password grant cost
 * 9.6 ms of CPU against 8.9 ms in full benchmark runs (presumably
 * argon2id's 19 MiB faulted in afresh on libuv's rotating threads more often
 * than on a thread that does every job), and the password benchmark fell
 * from 0.95× to 0.83× of the raw rate. The workers start on first use and
 * hold the process open only while they have work (WorkerThreads); one that
 * fails is replaced, and its unanswered jobs are done on libuv's pool
 * instead, so a request never fails for a worker's sake.
 */
export class HashingThreads {
  private readonly workers: WorkerThreads<Job, Answer>;
  /** Each thread's id once it has lowered its priority; null where it could not. */
  private readonly threadIds = new WeakMap<Worker, Promise<number | null>>();

  constructor(
    size: number,
    nice = HASHING_THREAD_NICE,
    private readonly depth = HASHING_QUEUE_DEPTH,
  ) {
    this.workers = new WorkerThreads({
      size,
      start: () => this.start(nice),
      settle: (job, answer) => {
        if (answer.error !== undefined) job.reject(new Error(`argon2: ${answer.error}`));
        else job.resolve(answer.result!);
      },
      fallback: runOnLibuvPool,
    });
  }

  /** An argon2id hash (PHC string) of `password`. */
  hash(password: string): Promise<string> {
    return this.run(password, null) as Promise<string>;
  }

  /** Whether `password` matches `hash`; rejects when `hash` is not an argon2 hash. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.run(password, hash) as Promise<boolean>;
  }

  /** Jobs handed to the threads so far, not counting those run on libuv's pool (tests). */
  get jobsSentToThreads(): number {
    return this.workers.sent;
  }

  /** The ids of the running threads (null where the priority could not be lowered): for tests. */
  runningThreadIds(): Promise<(number | null)[]> {
    return Promise.all(this.workers.running.map((thread) => this.threadIds.get(thread)!));
  }

  /** Stops the workers; what they had not answered is done on libuv's pool. */
  close(): Promise<void> {
    return this.workers.close();
  }

  private run(password: string, hash: string | null): Promise<string | boolean> {
    return new Promise((resolve, reject) => {
      const job: Job = { password, hash, resolve, reject };
      // More jobs than the threads hold: the rest run on libuv's pool rather than wait (see the class).
      if (this.workers.hasThreadWithFewerThan(this.depth)) {
        this.workers.send(job, (id) => ({ id, password, hash }));
      } else runOnLibuvPool(job);
    });
  }

  private start(nice: number): Worker {
    const thread = new Worker(HASHING_WORKER_SOURCE, {
      eval: true,
      workerData: { argon2: ARGON2_PATH, nice },
    });
    const threadId = new Promise<number | null>((resolve) => {
      // The thread's first message; null if it ends before sending it.
      thread.once('message', (first: { threadId?: number | null }) =>
        resolve(first.threadId ?? null),
      );
      thread.once('exit', () => resolve(null));
    });
    this.threadIds.set(thread, threadId);
    return thread;
  }
}

interface Answer {
  readonly id: number;
  readonly result?: string | boolean;
  readonly error?: string;
}

function runOnLibuvPool(job: Job): void {
  try {
    const work =
      job.hash === null ? hashOnLibuvPool(job.password) : verifyOnLibuvPool(job.hash, job.password);
    work.then(job.resolve, job.reject);
  } catch (error) {
    job.reject(error);
  }
}
