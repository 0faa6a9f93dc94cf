import { Injectable, Logger } from '@nestjs/common';
import { KeyedState } from '../../shared-state/keyed-state.js';
import { SharedStateUnavailableError } from '../../shared-state/shared-state-unavailable.error.js';

/** RFC 8628 §3.5: a client polling too fast waits 5 s more, on this and every later request. */
export const SLOW_DOWN_INCREMENT_SECONDS = 5;

interface Polling {
  /** Epoch ms of the last poll. */
  last: number;
  /** Seconds the client must now wait between polls. */
  interval: number;
  /** Epoch ms after which the entry is of no use (the device code's expiry). */
  until: number;
}

/** What a poll learnt: whether it came too soon, and the interval the client must now keep. */
export interface PollOutcome {
  readonly tooSoon: boolean;
  /** Seconds. */
  readonly interval: number;
}

/**
 * When each pending device code was last polled, and its interval, in the
 * shared keyed state (every instance sees it when REDIS_URL is set). Kept out
 * of the database row, whose payload the user's decision writes, so that a
 * poll cannot overwrite an approval. Two polls racing on two instances may
 * both pass: harmless, this only paces clients.
 *
 * Fail open: when the state cannot be read (Redis down) a poll is never
 * "too soon". Pacing protects nothing secret; the device code itself is
 * checked and redeemed in the database as always.
 */
@Injectable()
export class DevicePollingTracker {
  private readonly logger = new Logger('DevicePolling');

  constructor(private readonly state: KeyedState) {}

  /** Records a poll of a pending device code; too soon when it came before the interval allows (then it grows). */
  async poll(
    deviceCodeId: string,
    interval: number,
    until: number,
    now: number = Date.now(),
  ): Promise<PollOutcome> {
    try {
      const previous = await this.state.get<Polling>(key(deviceCodeId));
      let next: Polling;
      let tooSoon = false;
      if (previous === undefined || previous.until <= now) {
        next = { last: now, interval, until };
      } else {
        tooSoon = now - previous.last < previous.interval * 1000;
        next = {
          last: now,
          interval: previous.interval + (tooSoon ? SLOW_DOWN_INCREMENT_SECONDS : 0),
          until: previous.until,
        };
      }
      await this.state.set(key(deviceCodeId), next, Math.max(1, next.until - now));
      return { tooSoon, interval: next.interval };
    } catch (error) {
      if (!(error instanceof SharedStateUnavailableError)) throw error;
      // The connection logged the outage once; not a line per poll.
      this.logger.debug(`poll not paced: ${error.message}`);
      return { tooSoon: false, interval };
    }
  }

  /** The interval a device code's client must keep to now, in seconds. */
  async intervalOf(deviceCodeId: string): Promise<number | undefined> {
    return (await this.state.get<Polling>(key(deviceCodeId)))?.interval;
  }

  /** Drops a device code's state; a failure is only logged (the entry expires with the code). */
  async forget(deviceCodeId: string): Promise<void> {
    try {
      await this.state.delete(key(deviceCodeId));
    } catch (error) {
      if (!(error instanceof SharedStateUnavailableError)) throw error;
    }
  }
}

function key(deviceCodeId: string): string {
  return `device-poll:${deviceCodeId}`;
}
