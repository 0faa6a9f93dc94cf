import { type KeyObject, sign, verify } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { EventLoopLoad } from '../common/runtime/event-loop-load.js';
import { PerTurnBatch } from '../common/runtime/per-turn-batch.js';
import { WorkerThreads } from '../common/runtime/worker-threads.js';
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
  /** To verify (base64url); null to sign. */
  readonly signature: string | null;
  /** A signing job's signature, or a verifying job's verdict. */
  readonly resolve: (result: string | boolean) => void;
  readonly reject: (error: unknown) => void;
}

/** Batches carry inputs and signatures as lines of one string (see SIGNING_WORKER_SOURCE). */
const LINE_FEED = 'the signing input must not contain a line feed (a JWS signing input never does)';

/**
 * Signs and verifies on worker threads of its own, in batches: the jobs
 * asked for in one turn of the event loop are shared out among the workers,
 * one message to each, and come back in one from each. Measured on 2
 * cores, one ES256 signature on libuv's thread pool cost 55 to 120 µs of
 * CPU (a thread wake-up each), against 45 µs in a batch; an ES256
 * verification costs 60 µs, which the event loop no longer spends; and
 * hashes (argon2id) on that pool no longer delay them.
 *
 * The workers hold the process open only while they have work in flight
 * (WorkerThreads). One that fails is replaced, and its unanswered jobs are
 * done on libuv's pool instead, so a request never fails for a worker's sake.
 */
export class SigningPool {
  private readonly workers: WorkerThreads<Job[], { id: number; results: string }>;
  private readonly pending = new PerTurnBatch<Job>((batch) => this.flush(batch));

  /**
   * @param quiet whether the event loop has time to spare (see flush); by
   *   default, whether it was busy less than half of the last 100 ms
   */
  constructor(
    size: number,
    private readonly quiet: () => boolean = eventLoopIsQuiet,
  ) {
    this.workers = new WorkerThreads({
      size,
      start: () => new Worker(SIGNING_WORKER_SOURCE, { eval: true }),
      settle: (batch, { results }) => {
        const lines = results.split('\n');
        batch.forEach((job, position) => settle(job, lines[position] ?? '!no answer'));
      },
      fallback: (batch) => batch.forEach(runOnLibuvPool),
    });
  }

  /** Worker threads started and not stopped (tests). */
  get runningWorkers(): number {
    return this.workers.running.length;
  }

  /** Batches handed to the workers so far (tests). */
  get batchesSentToWorkers(): number {
    return this.workers.sent;
  }

  /** The base64url signature of `input`. */
  sign(input: string, key: KeyObject, method: SigningMethod): Promise<string> {
    if (input.includes('\n')) return Promise.reject(new Error(LINE_FEED));
    return new Promise((resolve, reject) =>
      this.pending.add({
        input,
        key,
        method,
        signature: null,
        resolve: (result) => resolve(result as string),
        reject,
      }),
    );
  }

  /** Whether `signature` (base64url) is `key`'s signature of `input`; a malformed one is not. */
  verify(
    input: string,
    signature: string,
    key: KeyObject,
    method: SigningMethod,
  ): Promise<boolean> {
    // An empty signature stands for "sign" in a batch; neither verifies anyway.
    if (signature === '' || `${input}${signature}`.includes('\n')) return Promise.resolve(false);
    return new Promise((resolve, reject) =>
      this.pending.add({
        input,
        key,
        method,
        signature,
        resolve: (result) => resolve(result === true),
        reject,
      }),
    );
  }

  /**
   * Stops the running workers (tests); what they had not answered is done
   * on libuv's pool. Jobs asked for afterwards start new workers.
   */
  close(): Promise<void> {
    return this.workers.close();
  }

  /**
   * A turn's jobs are shared out among the workers, so that a batch is
   * signed on every core at once. Under the benchmark a turn held 19 jobs
   * on average (up to 50); sent whole to one worker, 50 ES256 signatures
   * keep the event loop waiting ~1.8 ms.
   *
   * A turn's lone job, while no worker has work and the event loop has
   * time to spare, is done right here instead when it is cheap (isCheap):
   * waking an idle worker costs the event loop more than an ES256
   * signature or verification, and the answer comes later. Measured on 2
   * cores beside two busy hashing threads, a lone ES256 signature took
   * 176 µs here against 732 µs through a worker; password grants, one
   * signature per turn, cost 18.3 to 18.7 ms of CPU each against 19.9 to
   * 20.1 ms. Under a full load the event loop is the scarce core, and lone
   * jobs go to the workers as before.
   */
  private flush(batch: Job[]): void {
    if (batch.length === 1 && this.workers.idle && isCheap(batch[0]!) && this.quiet()) {
      return runOnEventLoop(batch[0]!);
    }
    const slices = Math.min(this.workers.size, batch.length);
    if (slices === 1) return this.send(batch);
    // Slice i is [i·n/k, (i+1)·n/k): k slices whose sizes differ by one at most.
    for (let slice = 0; slice < slices; slice++) {
      const start = Math.floor((slice * batch.length) / slices);
      const end = Math.floor(((slice + 1) * batch.length) / slices);
      this.send(batch.slice(start, end));
    }
  }

  private send(batch: Job[]): void {
    const keys: KeyObject[] = [];
    const methods: SigningMethod[] = [];
    const refs = new Uint16Array(batch.length * 2);
    const texts: string[] = [];
    batch.forEach((job, position) => {
      refs[2 * position] = indexIn(keys, job.key);
      refs[2 * position + 1] = indexIn(methods, job.method);
      texts.push(job.input, job.signature ?? '');
    });
    this.workers.send(batch, (id) => ({ id, keys, methods, refs, texts: texts.join('\n') }));
  }
}

/** Index of `item` in `list`, added at the end when missing. */
function indexIn<T>(list: T[], item: T): number {
  const index = list.indexOf(item);
  return index === -1 ? list.push(item) - 1 : index;
}

/** Hands a worker's answer line (see SIGNING_WORKER_SOURCE) to its caller. */
function settle(job: Job, result: string): void {
  if (result === 'T' || result === 'F') job.resolve(result === 'T');
  else if (result.startsWith('+')) job.resolve(result.slice(1));
  else job.reject(new Error(`signing failed: ${result.slice(1)}`));
}

function runOnLibuvPool(job: Job): void {
  const key = { key: job.key, ...job.method.options };
  if (job.signature !== null) {
    try {
      verify(
        job.method.digest,
        Buffer.from(job.input),
        key,
        Buffer.from(job.signature, 'base64url'),
        (error, valid) => job.resolve(error === null && valid),
      );
    } catch {
      job.resolve(false);
    }
    return;
  }
  try {
    sign(job.method.digest, Buffer.from(job.input), key, (error, signature) => {
      if (error) job.reject(error);
      else job.resolve(signature.toString('base64url'));
    });
  } catch (error) {
    job.reject(error);
  }
}

/** Event loop utilization under which SigningPool may do a lone job itself. */
const QUIET_EVENT_LOOP = 0.5;

let sharedLoad: EventLoopLoad | undefined;

/** Whether the event loop was busy less than half of the last 100 ms (one sampler for all pools). */
function eventLoopIsQuiet(): boolean {
  sharedLoad ??= new EventLoopLoad();
  return sharedLoad.utilization < QUIET_EVENT_LOOP;
}

/**
 * Whether the job costs the event loop less than handing it to an idle
 * worker: a P-256 or Ed25519 signature or verification (~30-80 µs), or
 * checking a signature with an RSA key of at most 4096 bits and the usual
 * public exponent. Anything dearer goes to the workers, as the keys of
 * assertions are published by other parties: a P-521 check, or one with a
 * huge RSA exponent, would hold the event loop for milliseconds.
 */
function isCheap(job: Job): boolean {
  const { asymmetricKeyType: type, asymmetricKeyDetails: details } = job.key;
  if (type === 'ed25519') return true;
  if (type === 'ec') return details?.namedCurve === 'prime256v1';
  return (
    job.signature !== null &&
    (type === 'rsa' || type === 'rsa-pss') &&
    (details?.modulusLength ?? Infinity) <= 4096 &&
    details?.publicExponent === 65537n
  );
}

/** Does the job synchronously; a verification that cannot be done is false, as on the workers. */
function runOnEventLoop(job: Job): void {
  const key = { key: job.key, ...job.method.options };
  const input = Buffer.from(job.input);
  if (job.signature !== null) {
    let valid = false;
    try {
      valid = verify(job.method.digest, input, key, Buffer.from(job.signature, 'base64url'));
    } catch {
      // A key or signature node:crypto cannot use: not a valid signature.
    }
    return job.resolve(valid);
  }
  try {
    job.resolve(sign(job.method.digest, input, key).toString('base64url'));
  } catch (error) {
    // Worded as a worker's failure is (settle).
    job.reject(
      new Error(`signing failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
