import { type DynamicModule, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, Logger } from 'pino';
import { loggingConfig } from '../config/logging.config.js';
import { RequestLogHook } from './request-log.hook.js';
import { createRootLogger, ROOT_LOGGER } from './root-logger.js';

/** Holds the application's pino logger, for nestjs-pino and the request log alike. */
@Module({})
class RootLoggerModule {}

/**
 * Structured JSON logs: pino, through nestjs-pino as Nest's logger, at
 * LOG_LEVEL, and a line per request (RequestLogHook). nestjs-pino's
 * per-request middleware (pino-http, a child logger and an async context per
 * request) is not used: it halved the token endpoint's throughput.
 */
@Module({})
export class LoggingModule {
  static forRoot(destination?: DestinationStream): DynamicModule {
    const root: DynamicModule = {
      module: RootLoggerModule,
      providers: [
        {
          provide: ROOT_LOGGER,
          inject: [loggingConfig.KEY],
          useFactory: (config: ConfigType<typeof loggingConfig>) =>
            createRootLogger(config.level, destination),
        },
      ],
      exports: [ROOT_LOGGER],
    };
    return {
      module: LoggingModule,
      imports: [
        root,
        LoggerModule.forRootAsync({
          imports: [root],
          inject: [ROOT_LOGGER],
          useFactory: (logger: Logger) => ({ pinoHttp: { logger }, forRoutes: [] }),
        }),
      ],
      providers: [RequestLogHook],
    };
  }
}
