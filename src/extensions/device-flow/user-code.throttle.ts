import { Injectable } from '@nestjs/common';

const WINDOW_MS = 15 * 60_000;
/** Wrong user codes allowed per client address in a window (RFC 8628 §5.1). */
export const MAX_WRONG_USER_CODES_PER_ADDRESS = 10;
const MAX_TRACKED = 100_000;

/**
 * Rate limit on wrong user-code entries per address, in this process (a
 * shared store arrives with Redis support), so that user codes cannot be
 * guessed by brute force.
 */
@Injectable()
export class UserCodeThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  isBlocked(address: string, now: number = Date.now()): boolean {
    const entry = this.failures.get(address);
    if (entry === undefined) return false;
    if (entry.resetAt <= now) {
      this.failures.delete(address);
      return false;
    }
    return entry.count >= MAX_WRONG_USER_CODES_PER_ADDRESS;
  }

  recordFailure(address: string, now: number = Date.now()): void {
    const entry = this.failures.get(address);
    if (entry === undefined || entry.resetAt <= now) {
      if (this.failures.size >= MAX_TRACKED) this.failures.clear();
      this.failures.set(address, { count: 1, resetAt: now + WINDOW_MS });
    } else {
      entry.count += 1;
    }
  }
}
