import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import { Semaphore } from '../common/concurrency/semaphore.js';

/**
 * How many argon2id computations run at once: one core fewer than the
 * machine has (at least one), so that the event loop and the thread-pool
 * work of other requests (JWT signing) always find a core. Measured on two
 * cores: with no limit, client_credentials beside a password-grant load
 * went from p99 13 ms to 102 ms, its signatures queued behind hashes.
 */
export const PASSWORD_HASHING_CONCURRENCY = Math.max(1, availableParallelism() - 1);

/**
 * argon2id (RFC 9106, the library's default algorithm) with its defaults (19 MiB, t=2, p=1, the
 * OWASP minimum). The async calls run on libuv's thread pool, off the event loop.
 */
@Injectable()
export class PasswordHasher {
  private readonly slots = new Semaphore(PASSWORD_HASHING_CONCURRENCY);
  /** A hash of a random password, so that an unknown user costs as much as a known one. */
  private readonly decoy = hash('decoy password never used');

  hash(password: string): Promise<string> {
    return this.slots.run(() => hash(password));
  }

  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    try {
      const against = passwordHash ?? (await this.decoy);
      const ok = await this.slots.run(() => verify(against, password));
      return ok && passwordHash !== null;
    } catch {
      return false;
    }
  }
}
