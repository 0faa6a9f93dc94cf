/**
 * Small JSON values by key, each with a time to live (e.g. device-code
 * polling state). In Redis when REDIS_URL is set, in this process otherwise;
 * with Redis unreachable every method rejects with SharedStateUnavailableError.
 * A get followed by a set is not atomic across instances: use it only where
 * a lost update between two racing requests is harmless.
 */
export abstract class KeyedState {
  abstract get<T>(key: string): Promise<T | undefined>;
  abstract set(key: string, value: unknown, ttlMs: number): Promise<void>;
  abstract delete(key: string): Promise<void>;
}
