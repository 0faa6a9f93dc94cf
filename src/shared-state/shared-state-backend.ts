import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { redisConfig } from '../config/redis.config.js';
import { serverConfig } from '../config/server.config.js';
import { RedisConnections } from './redis/redis-connections.js';

/** Where shared state lives: Redis when REDIS_URL is set (closed at shutdown), else this process. */
@Injectable()
export class SharedStateBackend implements OnApplicationShutdown {
  readonly redis: RedisConnections | undefined;

  constructor(
    @Inject(redisConfig.KEY) config: ConfigType<typeof redisConfig>,
    @Inject(serverConfig.KEY) server: ConfigType<typeof serverConfig>,
  ) {
    this.redis =
      config.url === undefined ? undefined : new RedisConnections(config.url, server.issuer);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
