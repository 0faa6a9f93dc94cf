/** A counter's value in its current window. */
export interface WindowCount {
  readonly count: number;
  /** Milliseconds until the window ends and the count starts again from 0; 0 when there is none. */
  readonly resetInMs: number;
}

/**
 * Counters for rate limits: the first increment of a key opens a window of
 * its own length (fixed window); the key counts until the window ends. Kept
 * in Redis when REDIS_URL is set (shared by every instance), in this process
 * otherwise. With Redis unreachable every method rejects with
 * SharedStateUnavailableError; the caller chooses fail closed or open.
 */
export abstract class WindowedCounters {
  abstract increment(key: string, windowMs: number): Promise<WindowCount>;
  abstract read(key: string): Promise<WindowCount>;
  abstract reset(key: string): Promise<void>;
}
