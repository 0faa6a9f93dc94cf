import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keysConfig } from '../config/keys.config.js';
import { KeysService } from './keys.service.js';

/** How often an instance looks whether rotation is due. */
const MAX_CHECK_INTERVAL_MS = 60_000;

/**
 * Rotates signing keys every KEY_ROTATION_PERIOD (unless it is `off`). The key that starts
 * signing was published as `next` one period earlier, so every cache of the
 * JWKS has it; the key it replaces stays published until its tokens expire.
 * Other instances follow through the `keys` invalidation channel, or by
 * KeysService's reload after a minute (a rotation done by the CLI, or
 * without Redis).
 */
@Injectable()
export class KeyRotationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('KeyRotation');
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly keys: KeysService,
    @Inject(keysConfig.KEY) private readonly config: ConfigType<typeof keysConfig>,
  ) {}

  onApplicationBootstrap(): void {
    const period = this.config.rotationPeriodMs;
    if (period === undefined) return;
    const interval = Math.min(Math.max(Math.floor(period / 5), 1_000), MAX_CHECK_INTERVAL_MS);
    this.timer = setInterval(() => void this.check(period), interval);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One check: the chains due are rotated. */
  async check(period: number): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.keys.rotateDue(Date.now() - period);
    } catch (error) {
      // The database may be away for a moment; the next check tries again.
      this.logger.warn(
        `key rotation check failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.running = false;
    }
  }
}
