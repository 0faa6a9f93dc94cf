import {
  InvalidationBus,
  type InvalidationChannel,
  type InvalidationHandler,
} from '../invalidation-bus.js';

/** One instance: nobody else holds a cache, so there is nothing to send and nothing arrives. */
export class InProcessInvalidationBus extends InvalidationBus {
  publish(_channel: InvalidationChannel, _key?: string): Promise<void> {
    return Promise.resolve();
  }

  subscribe(_channel: InvalidationChannel, _handler: InvalidationHandler): void {
    // Nothing ever arrives.
  }
}
