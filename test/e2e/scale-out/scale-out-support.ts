import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** An issuer of one test file, so that its Redis keys and channels are its own (they are scoped by issuer). */
export function uniqueIssuer(): string {
  return `http://scale-out-${randomBytes(6).toString('hex')}.test`;
}

/**
 * Polls `attempt` every 25 ms until it returns a value other than undefined
 * or `limitMs` has passed; returns the value and how long it took.
 */
export async function within<T>(
  limitMs: number,
  attempt: () => Promise<T | undefined>,
): Promise<{ value: T | undefined; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await attempt();
    const elapsedMs = Date.now() - started;
    if (value !== undefined || elapsedMs >= limitMs) return { value, elapsedMs };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The invalidation channels some connection to this Redis is subscribed to, by their
 * short names (sorted), once all `expected` are or `limitMs` has passed.
 */
export async function subscribedInvalidationChannels(
  probe: Redis,
  expected: number,
  limitMs = 5_000,
): Promise<string[]> {
  const channels = async () =>
    ((await probe.pubsub('CHANNELS', '*invalidate:*')) as string[])
      .map((channel) => channel.replace(/^.*invalidate:/, ''))
      .sort();
  await within(limitMs, async () => ((await channels()).length === expected ? true : undefined));
  return channels();
}
