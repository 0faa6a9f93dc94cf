import { Injectable } from '@nestjs/common';
import { WindowedCounters } from '../../shared-state/windowed-counters.js';

const WINDOW_MS = 15 * 60_000;
/** Wrong user codes allowed per client address in a window (RFC 8628 §5.1). */
export const MAX_WRONG_USER_CODES_PER_ADDRESS = 10;

/**
 * Rate limit on wrong user-code entries per address, on the shared counters
 * (every instance counts alike when REDIS_URL is set), so that user codes
 * cannot be guessed by brute force. Fail closed like the login throttle:
 * with the counters unreadable, isBlocked rejects (SharedStateUnavailableError)
 * and no code is looked up.
 */
@Injectable()
export class UserCodeThrottle {
  constructor(private readonly counters: WindowedCounters) {}

  async isBlocked(address: string): Promise<boolean> {
    return (await this.counters.read(key(address))).count >= MAX_WRONG_USER_CODES_PER_ADDRESS;
  }

  async recordFailure(address: string): Promise<void> {
    await this.counters.increment(key(address), WINDOW_MS);
  }
}

function key(address: string): string {
  return `user-code:addr:${address}`;
}
