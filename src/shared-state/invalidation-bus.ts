/** What a change can make stale in other instances' caches. */
export type InvalidationChannel = 'clients' | 'trusted-issuers' | 'keys';

/** Called with the key that changed; undefined: anything on the channel may have changed. */
export type InvalidationHandler = (key: string | undefined) => void;

/**
 * Tells the other instances that something they may hold in a cache has
 * changed (Redis pub/sub when REDIS_URL is set; with one instance there is
 * nobody to tell). An instance never receives its own messages: it updates
 * its own cache directly. After Redis was unreachable (messages may have been
 * lost) every handler is called with undefined. Local cache lifetimes bound
 * staleness whenever a message cannot get through.
 */
export abstract class InvalidationBus {
  /** Never rejects: a failure is logged and the other instances' cache lifetimes bound staleness. */
  abstract publish(channel: InvalidationChannel, key?: string): Promise<void>;
  abstract subscribe(channel: InvalidationChannel, handler: InvalidationHandler): void;
}
