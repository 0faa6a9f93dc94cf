import { randomBytes } from 'node:crypto';

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
