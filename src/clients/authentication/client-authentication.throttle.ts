import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { decodeJwt } from 'jose';
import { sha256 } from '../../common/crypto/secrets.js';
import { TOO_MANY_FAILURES, TooManyRequestsError } from '../../common/oauth/oauth-error.js';
import { limitsConfig } from '../../config/limits.config.js';
import { WindowedCounters } from '../../shared-state/windowed-counters.js';
import type { ClientAuthenticationInput } from './client-credentials.js';
import { backoffMs, type FailureBackoffPolicy } from './failure-backoff.js';

const WINDOW_MS = 15 * 60_000;
/** Per client_id: a few mistakes are free, then 1 s, 2 s, 4 s … and a lockout at 20. */
export const CLIENT_FAILURE_POLICY: FailureBackoffPolicy = {
  freeFailures: 5,
  lockoutAt: 20,
  windowMs: WINDOW_MS,
};
/** Per source address, which may front many clients: more room. */
export const ADDRESS_FAILURE_POLICY: FailureBackoffPolicy = {
  freeFailures: 20,
  lockoutAt: 100,
  windowMs: WINDOW_MS,
};
const MAX_TRACKED = 100_000;

/**
 * Limits failed client authentications at the token, introspection and
 * revocation endpoints, per claimed client_id and per source address.
 *
 * Failures are counted on the shared counters (every instance alike when
 * REDIS_URL is set); the wait they impose is kept here, so that the check on
 * every request is a lookup in memory, not a round trip. Another instance
 * learns of a lockout at its own next failure for that key, whose shared
 * count is already high. Successful authentications are never slowed.
 */
@Injectable()
export class ClientAuthenticationThrottle {
  private readonly logger = new Logger('ClientAuthenticationThrottle');
  /** Key → epoch ms until which requests of that key are refused. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly counters: WindowedCounters,
    @Inject(limitsConfig.KEY) private readonly limits: ConfigType<typeof limitsConfig>,
  ) {}

  /** Refuses the request (429) while its client or address must wait. */
  check(input: ClientAuthenticationInput, address: string, now: number = Date.now()): void {
    if (this.blockedUntil.size === 0) return;
    const wait = Math.max(
      ...keysOf(input, address).map(({ key }) => (this.blockedUntil.get(key) ?? 0) - now),
    );
    if (wait > 0)
      throw new TooManyRequestsError(TOO_MANY_FAILURES, wait, 'client authentication throttled');
  }

  /** Counts a failed client authentication for its claimed client and its address. */
  async recordFailure(
    input: ClientAuthenticationInput,
    address: string,
    now: number = Date.now(),
  ): Promise<void> {
    if (!this.limits.failureLimits) return;
    try {
      await Promise.all(
        keysOf(input, address).map(async ({ key, policy }) => {
          const { count, resetInMs } = await this.counters.increment(key, policy.windowMs);
          const wait = backoffMs(policy, count, resetInMs);
          if (wait <= 0) return;
          if (this.blockedUntil.size >= MAX_TRACKED) this.forgetExpired(now);
          this.blockedUntil.set(key, now + wait);
        }),
      );
    } catch (error) {
      // Not counted this once (Redis away): the refusal itself stands.
      this.logger.warn(
        `failed client authentication not counted: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private forgetExpired(now: number): void {
    for (const [key, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(key);
    if (this.blockedUntil.size >= MAX_TRACKED) this.blockedUntil.clear();
  }
}

/** The keys a request counts under: its address, and the client it names (hashed: any string). */
function keysOf(
  input: ClientAuthenticationInput,
  address: string,
): { key: string; policy: FailureBackoffPolicy }[] {
  const keys = [{ key: `client-auth:addr:${address}`, policy: ADDRESS_FAILURE_POLICY }];
  const clientId = claimedClientId(input);
  if (clientId !== undefined) {
    keys.push({ key: `client-auth:client:${sha256(clientId)}`, policy: CLIENT_FAILURE_POLICY });
  }
  return keys;
}

/** The client a request claims to be, before anything is verified: Basic user, client_id, or the assertion's sub. */
function claimedClientId(input: ClientAuthenticationInput): string | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(input.authorization ?? '');
  if (basic !== null) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator > 0) return safeDecode(decoded.slice(0, separator));
  }
  if (input.params.client_id !== undefined) return input.params.client_id;
  if (input.params.client_assertion !== undefined) {
    try {
      const { sub } = decodeJwt(input.params.client_assertion);
      return typeof sub === 'string' ? sub : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
