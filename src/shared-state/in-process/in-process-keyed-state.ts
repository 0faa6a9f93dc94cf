import { KeyedState } from '../keyed-state.js';
import { BoundedExpiringMap } from './bounded-expiring-map.js';

/** KeyedState of one instance (no REDIS_URL). Values are kept as JSON, as Redis keeps them. */
export class InProcessKeyedState extends KeyedState {
  private readonly values: BoundedExpiringMap<string>;

  constructor(maxEntries?: number) {
    super();
    this.values = new BoundedExpiringMap(maxEntries);
  }

  get<T>(key: string): Promise<T | undefined> {
    const entry = this.values.get(key);
    return Promise.resolve(entry === undefined ? undefined : (JSON.parse(entry.value) as T));
  }

  set(key: string, value: unknown, ttlMs: number): Promise<void> {
    const now = Date.now();
    this.values.set(key, JSON.stringify(value), now + Math.max(1, ttlMs), now);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.values.delete(key);
    return Promise.resolve();
  }
}
