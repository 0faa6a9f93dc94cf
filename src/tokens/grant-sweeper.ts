import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PersistedGrantStore } from './persisted-grant.store.js';

const INTERVAL_MS = 10_000;
/** Rows per DELETE: a few milliseconds of SQLite's writer (or PostgreSQL row locks) at a time. */
export const SWEEP_BATCH = 500;

/**
 * Removes expired persisted grants in the background, in small batches so
 * that no lock is held for long, with a turn of the event loop between
 * batches so that requests go on. A run continues until a batch comes back
 * short, so the sweeper keeps pace with any sustained insert rate.
 */
@Injectable()
export class GrantSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('GrantSweeper');
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(private readonly store: PersistedGrantStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One run; the number of rows it removed. */
  async sweep(now: number = Date.now()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let removed = 0;
    try {
      while (!this.stopped) {
        const count = await this.store.sweepExpired(SWEEP_BATCH, now);
        removed += count;
        if (count < SWEEP_BATCH) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.logger.warn(`sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running = false;
    }
    return removed;
  }
}
