export interface SharedStateStatus {
  readonly up: boolean;
  /** Why it is down; no secret (the Redis URL's password) ever appears here. */
  readonly detail?: string;
}

/** Whether the shared store answers (for readiness); without Redis it is always up. */
export abstract class SharedStateHealth {
  abstract check(): Promise<SharedStateStatus>;
}
