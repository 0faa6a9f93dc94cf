import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id (RFC 9106, the library's default algorithm) with its defaults (19 MiB, t=2, p=1, the
 * OWASP minimum). The async calls run on libuv's thread pool, off the event loop.
 */
@Injectable()
export class PasswordHasher {
  /** A hash of a random password, so that an unknown user costs as much as a known one. */
  private readonly decoy = hash('decoy password never used');

  hash(password: string): Promise<string> {
    return hash(password);
  }

  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    try {
      const ok = await verify(passwordHash ?? (await this.decoy), password);
      return ok && passwordHash !== null;
    } catch {
      return false;
    }
  }
}
