import { Injectable } from '@nestjs/common';

const WINDOW_MS = 15 * 60_000;
/** Failed sign-ins allowed per account, and per client address, in a window. */
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;
const MAX_TRACKED = 100_000;

/**
 * Rate limit on failed sign-ins, per account and per address, in this
 * process (a shared store arrives with Redis support). Success does not
 * reset the address counter, so one good account cannot launder guesses.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  isBlocked(username: string, address: string): boolean {
    return (
      this.count(`user:${username.toLowerCase()}`) >= MAX_FAILURES_PER_ACCOUNT ||
      this.count(`addr:${address}`) >= MAX_FAILURES_PER_ADDRESS
    );
  }

  recordFailure(username: string, address: string): void {
    this.increment(`user:${username.toLowerCase()}`);
    this.increment(`addr:${address}`);
  }

  recordSuccess(username: string): void {
    this.failures.delete(`user:${username.toLowerCase()}`);
  }

  private count(key: string): number {
    const entry = this.failures.get(key);
    if (entry === undefined) return 0;
    if (entry.resetAt <= Date.now()) {
      this.failures.delete(key);
      return 0;
    }
    return entry.count;
  }

  private increment(key: string): void {
    const now = Date.now();
    const entry = this.failures.get(key);
    if (entry === undefined || entry.resetAt <= now) {
      if (this.failures.size >= MAX_TRACKED) this.failures.clear();
      this.failures.set(key, { count: 1, resetAt: now + WINDOW_MS });
    } else {
      entry.count += 1;
    }
  }
}
