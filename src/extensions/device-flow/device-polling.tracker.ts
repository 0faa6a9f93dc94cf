import { Injectable } from '@nestjs/common';

/** RFC 8628 §3.5: a client polling too fast waits 5 s more, on this and every later request. */
export const SLOW_DOWN_INCREMENT_SECONDS = 5;
const MAX_TRACKED = 100_000;

interface Polling {
  /** Epoch ms of the last poll. */
  last: number;
  /** Seconds the client must now wait between polls. */
  interval: number;
  /** Epoch ms after which the entry is of no use (the device code's expiry). */
  until: number;
}

/**
 * When each pending device code was last polled, and its interval, in this
 * process (DESIGN.md: shared through Redis once that is configured, like the
 * other rate limits). Kept out of the database row, whose payload the
 * user's decision writes, so that a poll cannot overwrite an approval.
 */
@Injectable()
export class DevicePollingTracker {
  private readonly polls = new Map<string, Polling>();

  /**
   * Records a poll of a pending device code; true when it came sooner than
   * the interval allows (then the interval grows).
   */
  poll(deviceCodeId: string, interval: number, until: number, now: number = Date.now()): boolean {
    const previous = this.polls.get(deviceCodeId);
    if (previous === undefined || previous.until <= now) {
      if (this.polls.size >= MAX_TRACKED) this.sweep(now);
      this.polls.set(deviceCodeId, { last: now, interval, until });
      return false;
    }
    const tooSoon = now - previous.last < previous.interval * 1000;
    if (tooSoon) previous.interval += SLOW_DOWN_INCREMENT_SECONDS;
    previous.last = now;
    return tooSoon;
  }

  /** The interval a device code's client must keep to now, in seconds. */
  intervalOf(deviceCodeId: string): number | undefined {
    return this.polls.get(deviceCodeId)?.interval;
  }

  forget(deviceCodeId: string): void {
    this.polls.delete(deviceCodeId);
  }

  private sweep(now: number): void {
    for (const [id, polling] of this.polls) if (polling.until <= now) this.polls.delete(id);
    if (this.polls.size >= MAX_TRACKED) this.polls.clear();
  }
}
