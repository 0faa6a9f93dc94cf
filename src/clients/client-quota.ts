import { Injectable, Logger } from '@nestjs/common';
import { TooManyRequestsError } from '../common/oauth/oauth-error.js';
import { WindowedCounters } from '../shared-state/windowed-counters.js';
import type { Client } from './client.js';

const WINDOW_MS = 1_000;

/**
 * A client's quota on its requests to the back-channel endpoints
 * (`rate_limit_per_second`, off unless set): counted per second on the
 * shared counters, so that all instances together allow the quota. A client
 * without one costs nothing here. When Redis does not answer the request is
 * let through: a quota protects capacity, not a secret.
 */
@Injectable()
export class ClientQuota {
  private readonly logger = new Logger('ClientQuota');

  constructor(private readonly counters: WindowedCounters) {}

  async consume(client: Client): Promise<void> {
    const limit = client.metadata.rate_limit_per_second;
    if (limit === undefined) return;
    let count: number;
    let resetInMs: number;
    try {
      ({ count, resetInMs } = await this.counters.increment(`quota:${client.clientId}`, WINDOW_MS));
    } catch (error) {
      this.logger.debug(
        `quota of ${client.clientId} not counted: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    if (count > limit) {
      throw new TooManyRequestsError(
        `the client's quota of ${limit} requests per second is used up`,
        resetInMs,
        `quota of client ${client.clientId} exceeded`,
      );
    }
  }
}
