import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { hash } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import { EventLoopLoad } from '../common/runtime/event-loop-load.js';
import { HashingGate } from './hashing-gate.js';
import { HASHING_QUEUE_DEPTH, HashingThreads } from './hashing-threads.js';

/** Event loop utilization above which other requests are being served, and hashing steps back. */
const BUSY_EVENT_LOOP = 0.5;

/**
 * How many argon2id computations may be in flight at once. While the event
 * loop is quiet, two per core: one running on each hashing thread and one
 * waiting there to start the moment it is done (HASHING_QUEUE_DEPTH), so
 * password checks alone get the whole machine, and memory stays bounded at
 * 19 MiB a core, since only the running one has its memory (with libuv's 4
 * threads on 2 cores, all running, the password scenario's RSS went past
 * 250 MB). While it is busy with other requests, one per core but one (at
 * least one), so that the event loop always finds a core: unbounded, 10
 * password connections on 2 cores held every pool thread, and
 * client_credentials beside them went from p99 13 ms to 64 ms.
 */
export function hashingConcurrency(cores: number, eventLoopUtilization: number): number {
  return eventLoopUtilization > BUSY_EVENT_LOOP
    ? Math.max(1, cores - 1)
    : Math.max(1, cores) * HASHING_QUEUE_DEPTH;
}

/**
 * argon2id (RFC 9106, the library's default algorithm) with its defaults (19 MiB, t=2, p=1, the
 * OWASP minimum), on threads of its own below the usual priority (HashingThreads), off the
 * event loop.
 */
@Injectable()
export class PasswordHasher implements OnApplicationShutdown {
  private readonly load = new EventLoopLoad();
  private readonly cores = availableParallelism();
  private readonly threads = new HashingThreads(this.cores);
  private readonly gate = new HashingGate(() =>
    hashingConcurrency(this.cores, this.load.utilization),
  );
  /**
   * A hash of a random password, so that an unknown user costs as much as a known one. Made
   * once on libuv's pool, so that an instance nobody sends a password starts no hashing thread.
   */
  private readonly decoy = hash('decoy password never used');

  hash(password: string): Promise<string> {
    return this.gate.run(() => this.threads.hash(password));
  }

  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    try {
      const against = passwordHash ?? (await this.decoy);
      const ok = await this.gate.run(() => this.threads.verify(against, password));
      return ok && passwordHash !== null;
    } catch {
      return false;
    }
  }

  /** After the HTTP server has closed, so that no password request comes in behind it. */
  async onApplicationShutdown(): Promise<void> {
    this.load.stop();
    await this.threads.close();
  }
}
