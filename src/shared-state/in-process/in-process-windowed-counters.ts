import { type WindowCount, WindowedCounters } from '../windowed-counters.js';
import { BoundedExpiringMap } from './bounded-expiring-map.js';

/** WindowedCounters of one instance (no REDIS_URL). */
export class InProcessWindowedCounters extends WindowedCounters {
  private readonly counts: BoundedExpiringMap<number>;

  constructor(maxEntries?: number) {
    super();
    this.counts = new BoundedExpiringMap(maxEntries);
  }

  increment(key: string, windowMs: number): Promise<WindowCount> {
    const now = Date.now();
    const entry = this.counts.get(key, now);
    const count = (entry?.value ?? 0) + 1;
    const until = entry?.until ?? now + windowMs;
    this.counts.set(key, count, until, now);
    return Promise.resolve({ count, resetInMs: until - now });
  }

  read(key: string): Promise<WindowCount> {
    const now = Date.now();
    const entry = this.counts.get(key, now);
    return Promise.resolve(
      entry === undefined ? NONE : { count: entry.value, resetInMs: entry.until - now },
    );
  }

  reset(key: string): Promise<void> {
    this.counts.delete(key);
    return Promise.resolve();
  }
}

const NONE: WindowCount = { count: 0, resetInMs: 0 };
