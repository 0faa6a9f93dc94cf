import { Global, Module, type Provider } from '@nestjs/common';
import { InProcessInvalidationBus } from './in-process/in-process-invalidation-bus.js';
import { InProcessKeyedState } from './in-process/in-process-keyed-state.js';
import { InProcessSharedStateHealth } from './in-process/in-process-shared-state-health.js';
import { InProcessWindowedCounters } from './in-process/in-process-windowed-counters.js';
import { InvalidationBus } from './invalidation-bus.js';
import { KeyedState } from './keyed-state.js';
import type { RedisConnections } from './redis/redis-connections.js';
import { RedisInvalidationBus } from './redis/redis-invalidation-bus.js';
import { RedisKeyedState } from './redis/redis-keyed-state.js';
import { RedisSharedStateHealth } from './redis/redis-shared-state-health.js';
import { RedisWindowedCounters } from './redis/redis-windowed-counters.js';
import { SharedStateBackend } from './shared-state-backend.js';
import { SharedStateHealth } from './shared-state-health.js';
import { WindowedCounters } from './windowed-counters.js';

/** A provider of `token`: the Redis implementation when REDIS_URL is set, the in-process one otherwise. */
function either<T>(
  token: abstract new (...args: never[]) => T,
  inRedis: (redis: RedisConnections) => T,
  inProcess: () => T,
): Provider {
  return {
    provide: token,
    useFactory: (backend: SharedStateBackend) =>
      backend.redis === undefined ? inProcess() : inRedis(backend.redis),
    inject: [SharedStateBackend],
  };
}

/**
 * What several instances of one issuer must see alike (DESIGN.md, "Scaling
 * out"): rate-limit counters, small keyed state, cache invalidation, and the
 * store's health for readiness. Global: any module injects the abstract classes.
 */
@Global()
@Module({
  providers: [
    SharedStateBackend,
    either(
      WindowedCounters,
      (redis) => new RedisWindowedCounters(redis),
      () => new InProcessWindowedCounters(),
    ),
    either(
      KeyedState,
      (redis) => new RedisKeyedState(redis),
      () => new InProcessKeyedState(),
    ),
    either(
      InvalidationBus,
      (redis) => new RedisInvalidationBus(redis),
      () => new InProcessInvalidationBus(),
    ),
    either(
      SharedStateHealth,
      (redis) => new RedisSharedStateHealth(redis),
      () => new InProcessSharedStateHealth(),
    ),
  ],
  exports: [WindowedCounters, KeyedState, InvalidationBus, SharedStateHealth],
})
export class SharedStateModule {}
