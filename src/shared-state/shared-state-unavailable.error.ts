/**
 * The shared store (Redis) did not answer. Callers decide, each for its own
 * check, whether to refuse (fail closed) or go on without it (fail open); the
 * message names the cause for the log, never a key's value.
 */
export class SharedStateUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`shared state unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'SharedStateUnavailableError';
  }
}
