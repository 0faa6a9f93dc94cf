import { SharedStateHealth, type SharedStateStatus } from '../shared-state-health.js';

/** Without Redis, shared state lives in this process: always up. */
export class InProcessSharedStateHealth extends SharedStateHealth {
  check(): Promise<SharedStateStatus> {
    return Promise.resolve({ up: true });
  }
}
