import { Injectable } from '@nestjs/common';
import { sha256 } from '../common/crypto/secrets.js';
import { WindowedCounters } from '../shared-state/windowed-counters.js';

const WINDOW_MS = 15 * 60_000;
/** Failed sign-ins allowed per account, and per client address, in a window. */
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;

/**
 * Rate limit on failed sign-ins, per account and per address, on the shared
 * counters (every instance counts in the same window when REDIS_URL is set).
 * Success does not reset the address counter, so one good account cannot
 * launder guesses.
 *
 * Fail closed: when the counters cannot be read (Redis down) isBlocked
 * rejects with SharedStateUnavailableError and the caller refuses the
 * sign-in (503) rather than check a password unthrottled, since per-process
 * counting would multiply the guesses allowed by the number of instances
 * and lose them at every restart. Sign-ins come back by themselves with Redis.
 */
@Injectable()
export class LoginThrottle {
  constructor(private readonly counters: WindowedCounters) {}

  async isBlocked(username: string, address: string): Promise<boolean> {
    return (await this.blockedForMs(username, address)) > 0;
  }

  /** How long the account or the address is still locked out; 0 when neither is. */
  async blockedForMs(username: string, address: string): Promise<number> {
    const [account, source] = await Promise.all([
      this.counters.read(accountKey(username)),
      this.counters.read(addressKey(address)),
    ]);
    return Math.max(
      account.count >= MAX_FAILURES_PER_ACCOUNT ? Math.max(account.resetInMs, 1) : 0,
      source.count >= MAX_FAILURES_PER_ADDRESS ? Math.max(source.resetInMs, 1) : 0,
    );
  }

  async recordFailure(username: string, address: string): Promise<void> {
    await Promise.all([
      this.counters.increment(accountKey(username), WINDOW_MS),
      this.counters.increment(addressKey(address), WINDOW_MS),
    ]);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.counters.reset(accountKey(username));
  }
}

/** Usernames are hashed: the shared store holds no account names. */
function accountKey(username: string): string {
  return `login:user:${sha256(username.toLowerCase())}`;
}

function addressKey(address: string): string {
  return `login:addr:${address}`;
}
