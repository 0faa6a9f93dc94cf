import type { Worker } from 'node:worker_threads';

interface PooledThread<Work> {
  readonly thread: Worker;
  /** Work sent and not yet answered, by message id. */
  readonly inFlight: Map<number, Work>;
  /** Whether it has answered anything yet. */
  answered: boolean;
}

/** Threads in a row that fail before their first answer, after which the pool stops starting them. */
const FAILED_STARTS_LIMIT = 3;

export interface WorkerThreadsOptions<Work, Answer> {
  /** How many threads at most. */
  readonly size: number;
  /** Starts one thread. */
  readonly start: () => Worker;
  /** Hands a thread's answer to the work it answers. */
  readonly settle: (work: Work, answer: Answer) => void;
  /** Does work that no thread will answer: none could be started, or its thread failed or was stopped. */
  readonly fallback: (work: Work) => void;
}

/**
 * A fixed number of worker threads, each started when first needed, for the
 * pools that take CPU work off the event loop (signing, password hashing).
 * Work goes to the thread with the least work in flight; a thread answers
 * with a message whose `id` is the one it was sent (messages without one
 * are the thread's own business). A thread keeps the process alive only
 * while it has work in flight (a CLI command awaiting a hash must not exit
 * under it). One that fails is replaced, and what it had not answered goes
 * to the fallback, so a request never fails for a thread's sake; after
 * FAILED_STARTS_LIMIT threads in a row fail before answering anything (a
 * module that cannot load in a worker), all work goes to the fallback.
 */
export class WorkerThreads<Work, Answer extends { readonly id: number }> {
  private readonly threads: (PooledThread<Work> | undefined)[];
  private nextId = 0;
  private failedStarts = 0;
  private sentCount = 0;

  constructor(private readonly options: WorkerThreadsOptions<Work, Answer>) {
    this.threads = Array.from({ length: Math.max(1, options.size) }, () => undefined);
  }

  get size(): number {
    return this.threads.length;
  }

  /** The threads started and not stopped. */
  get running(): Worker[] {
    return this.threads.flatMap((pooled) => (pooled === undefined ? [] : [pooled.thread]));
  }

  /** Messages posted to threads so far (tests). */
  get sent(): number {
    return this.sentCount;
  }

  /** Whether no thread has work in flight. */
  get idle(): boolean {
    return this.threads.every((pooled) => pooled === undefined || pooled.inFlight.size === 0);
  }

  /** Whether a thread has fewer than `count` pieces of work in flight, or one is yet to be started. */
  hasThreadWithFewerThan(count: number): boolean {
    return this.threads.some((pooled) => pooled === undefined || pooled.inFlight.size < count);
  }

  /** Posts `message(id)` for `work` to the least busy thread, or hands the work to the fallback. */
  send(work: Work, message: (id: number) => unknown): void {
    if (this.failedStarts >= FAILED_STARTS_LIMIT) return this.options.fallback(work);
    let pooled: PooledThread<Work>;
    try {
      pooled = this.leastBusy();
    } catch {
      // No thread could be started (the process is out of threads or memory).
      return this.options.fallback(work);
    }
    const id = this.nextId++;
    pooled.inFlight.set(id, work);
    if (pooled.inFlight.size === 1) pooled.thread.ref();
    try {
      pooled.thread.postMessage(message(id));
      this.sentCount++;
    } catch {
      pooled.inFlight.delete(id);
      if (pooled.inFlight.size === 0) pooled.thread.unref();
      this.options.fallback(work);
    }
  }

  /** Stops the threads; what they had not answered goes to the fallback. Later work starts new ones. */
  async close(): Promise<void> {
    const running = this.threads.filter((pooled) => pooled !== undefined);
    this.threads.fill(undefined);
    await Promise.all(running.map((pooled) => this.retire(pooled)));
  }

  private leastBusy(): PooledThread<Work> {
    let best: PooledThread<Work> | undefined;
    for (let index = 0; index < this.threads.length; index++) {
      const pooled = (this.threads[index] ??= this.start(index));
      if (best === undefined || pooled.inFlight.size < best.inFlight.size) best = pooled;
      if (best.inFlight.size === 0) break;
    }
    return best!;
  }

  private start(index: number): PooledThread<Work> {
    const thread = this.options.start();
    thread.unref();
    const pooled: PooledThread<Work> = { thread, inFlight: new Map(), answered: false };
    thread.on('message', (answer: Partial<Answer> | null) => {
      if (typeof answer?.id !== 'number') return;
      const work = pooled.inFlight.get(answer.id);
      if (work === undefined) return;
      pooled.inFlight.delete(answer.id);
      if (pooled.inFlight.size === 0) thread.unref();
      pooled.answered = true;
      this.failedStarts = 0;
      this.options.settle(work, answer as Answer);
    });
    const replace = () => {
      if (this.threads[index] === pooled) {
        this.threads[index] = undefined;
        if (!pooled.answered) this.failedStarts++;
      }
      void this.retire(pooled);
    };
    thread.once('error', replace);
    thread.once('exit', replace);
    // A message that could not be read would leave its work unanswered: start afresh.
    thread.once('messageerror', replace);
    return pooled;
  }

  private async retire(pooled: PooledThread<Work>): Promise<void> {
    const unanswered = [...pooled.inFlight.values()];
    pooled.inFlight.clear();
    pooled.thread.unref();
    for (const work of unanswered) this.options.fallback(work);
    await pooled.thread.terminate();
  }
}
