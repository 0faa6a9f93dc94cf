import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PersistedGrantStore } from './persisted-grant.store.js';

const INTERVAL_MS = 60_000;
const BATCH = 500;
const MAX_BATCHES_PER_RUN = 20;

/** Removes expired persisted grants in the background, in small batches so that no lock is held for long. */
@Injectable()
export class GrantSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('GrantSweeper');
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly store: PersistedGrantStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let removed = 0;
    try {
      for (let run = 0; run < MAX_BATCHES_PER_RUN; run++) {
        const count = await this.store.sweepExpired(BATCH);
        removed += count;
        if (count < BATCH) break;
      }
    } catch (error) {
      this.logger.warn(`sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running = false;
    }
    return removed;
  }
}
