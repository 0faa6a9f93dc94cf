import { type KeyObject, sign } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { PerTurnBatch } from '../common/runtime/per-turn-batch.js';
import { SIGNING_WORKER_SOURCE } from './signing-worker.source.js';

/** How node:crypto signs one algorithm: the digest and the key options besides the key. */
export interface SigningMethod {
  readonly digest: string | null;
  readonly options: Readonly<Record<string, unknown>>;
}

interface Job {
  readonly input: string;
  readonly key: KeyObject;
  readonly method: SigningMethod;
  readonly resolve: (signature: string) => void;
  readonly reject: (error: unknown) => void;
}

interface PoolWorker {
  readonly thread: Worker;
  /** Batches sent and not yet answered, by id. */
  readonly inFlight: Map<number, Job[]>;
}

/**
 * Signs on worker threads of its own, in batches: the signatures asked for
 * in one turn of the event loop go to one worker in one message, and come
 * back in one. Measured on 2 cores, one ES256 signature on libuv's thread
 * pool cost 55 to 120 µs of CPU (a thread wake-up each), against 45 µs in
 * a batch; and hashes (argon2id) on that pool no longer delay signatures.
 *
 * The workers do not keep the process alive. One that fails is replaced,
 * and its unanswered signatures are made on libuv's pool instead, so a
 * request never fails for a worker's sake.
 */
export class SigningPool {
  private readonly workers: (PoolWorker | undefined)[];
  private readonly pending = new PerTurnBatch<Job>((batch) => this.flush(batch));
  private nextBatchId = 0;

  constructor(size: number) {
    this.workers = Array.from({ length: Math.max(1, size) }, () => undefined);
  }

  /** The base64url signature of `input`. */
  sign(input: string, key: KeyObject, method: SigningMethod): Promise<string> {
    return new Promise((resolve, reject) =>
      this.pending.add({ input, key, method, resolve, reject }),
    );
  }

  /**
   * Stops the running workers (tests); what they had not answered is signed
   * on libuv's pool. Signatures asked for afterwards start new workers.
   */
  async close(): Promise<void> {
    const running = this.workers.filter((worker) => worker !== undefined);
    this.workers.fill(undefined);
    await Promise.all(running.map((worker) => this.retire(worker)));
  }

  private flush(batch: Job[]): void {
    let worker: PoolWorker;
    try {
      worker = this.leastBusyWorker();
    } catch {
      // No worker could be started (the process is out of threads or memory): sign here.
      for (const job of batch) signOnLibuvPool(job);
      return;
    }
    const keys: KeyObject[] = [];
    const jobs = batch.map((job) => {
      let keyIndex = keys.indexOf(job.key);
      if (keyIndex === -1) keyIndex = keys.push(job.key) - 1;
      return [job.input, keyIndex, job.method.digest, job.method.options];
    });
    const id = this.nextBatchId++;
    worker.inFlight.set(id, batch);
    try {
      worker.thread.postMessage({ id, keys, jobs });
    } catch {
      worker.inFlight.delete(id);
      for (const job of batch) signOnLibuvPool(job);
    }
  }

  private leastBusyWorker(): PoolWorker {
    let best: PoolWorker | undefined;
    for (let index = 0; index < this.workers.length; index++) {
      const worker = (this.workers[index] ??= this.start(index));
      if (best === undefined || worker.inFlight.size < best.inFlight.size) best = worker;
      if (best.inFlight.size === 0) break;
    }
    return best!;
  }

  private start(index: number): PoolWorker {
    const thread = new Worker(SIGNING_WORKER_SOURCE, { eval: true });
    thread.unref();
    const worker: PoolWorker = { thread, inFlight: new Map() };
    thread.on('message', (answer: { id: number; results: [string?, string?][] }) => {
      const batch = worker.inFlight.get(answer.id);
      if (batch === undefined) return;
      worker.inFlight.delete(answer.id);
      batch.forEach((job, position) => {
        const [signature, error] = answer.results[position] ?? [undefined, 'no answer'];
        if (signature !== undefined) job.resolve(signature);
        else job.reject(new Error(`signing failed: ${error}`));
      });
    });
    const replace = () => {
      if (this.workers[index] === worker) this.workers[index] = undefined;
      void this.retire(worker);
    };
    thread.once('error', replace);
    thread.once('exit', replace);
    // A message that could not be read would leave its batch unanswered: start afresh.
    thread.once('messageerror', replace);
    return worker;
  }

  /** Ends a worker; what it had not answered is signed here instead. */
  private async retire(worker: PoolWorker): Promise<void> {
    const unanswered = [...worker.inFlight.values()].flat();
    worker.inFlight.clear();
    for (const job of unanswered) signOnLibuvPool(job);
    await worker.thread.terminate();
  }
}

function signOnLibuvPool(job: Job): void {
  sign(
    job.method.digest,
    Buffer.from(job.input),
    { key: job.key, ...job.method.options },
    (error, signature) => {
      if (error) job.reject(error);
      else job.resolve(signature.toString('base64url'));
    },
  );
}
