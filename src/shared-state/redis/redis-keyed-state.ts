import { KeyedState } from '../keyed-state.js';
import { SharedStateUnavailableError } from '../shared-state-unavailable.error.js';
import type { RedisConnections } from './redis-connections.js';

/** KeyedState in Redis: JSON strings with a PX expiry. */
export class RedisKeyedState extends KeyedState {
  constructor(private readonly redis: RedisConnections) {
    super();
  }

  async get<T>(key: string): Promise<T | undefined> {
    let value: string | null;
    try {
      value = await this.redis.commands.get(stateKey(key));
    } catch (error) {
      throw new SharedStateUnavailableError(error);
    }
    return value === null ? undefined : (JSON.parse(value) as T);
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    try {
      await this.redis.commands.set(
        stateKey(key),
        JSON.stringify(value),
        'PX',
        Math.max(1, Math.ceil(ttlMs)),
      );
    } catch (error) {
      throw new SharedStateUnavailableError(error);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.redis.commands.del(stateKey(key));
    } catch (error) {
      throw new SharedStateUnavailableError(error);
    }
  }
}

function stateKey(key: string): string {
  return `state:${key}`;
}
