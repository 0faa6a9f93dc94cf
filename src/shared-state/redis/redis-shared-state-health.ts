import { SharedStateHealth, type SharedStateStatus } from '../shared-state-health.js';
import type { RedisConnections } from './redis-connections.js';

/** Up when Redis answers a PING on the command connection and the subscriber connection is ready. */
export class RedisSharedStateHealth extends SharedStateHealth {
  constructor(private readonly redis: RedisConnections) {
    super();
  }

  async check(): Promise<SharedStateStatus> {
    try {
      await this.redis.commands.ping();
    } catch (error) {
      return {
        up: false,
        detail: `redis: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const status = this.redis.subscriber.status;
    return status === 'ready'
      ? { up: true }
      : { up: false, detail: `redis: subscriber connection ${status}` };
  }
}
