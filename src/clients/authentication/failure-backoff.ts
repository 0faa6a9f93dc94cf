/** When failures of one key (a client, an address) start to cost waiting, and when they lock it out. */
export interface FailureBackoffPolicy {
  /** Failures in a window that cost nothing. */
  readonly freeFailures: number;
  /** From this many failures in the window on, the key is locked out until the window ends. */
  readonly lockoutAt: number;
  readonly windowMs: number;
}

/**
 * How long a key must wait after its latest failure, the `count`th in its
 * window: nothing at first, then 1 s, 2 s, 4 s … doubling with each failure
 * past the free ones, and from `lockoutAt` on until the window ends.
 */
export function backoffMs(
  policy: FailureBackoffPolicy,
  count: number,
  windowResetInMs: number,
): number {
  if (count <= policy.freeFailures) return 0;
  if (count >= policy.lockoutAt) return windowResetInMs;
  return Math.min(1000 * 2 ** (count - policy.freeFailures - 1), windowResetInMs);
}
