import { Logger as NestLogger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule, type IdentityServiceOptions } from './app.module.js';
import { AllErrorsFilter } from './common/http/all-errors.filter.js';
import { clientErrorHandler } from './common/http/client-error.handler.js';
import { frameworkErrors } from './common/http/framework-errors.js';
import { loggingConfig } from './config/logging.config.js';
import { nestLogLevels } from './logging/nest-log-levels.js';
import { REQUEST_ID_HEADER, REQUEST_ID_OPTIONS } from './logging/request-id.js';

/** Request bodies larger than this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The application on Fastify. Nest routes Fastify's own errors (body too
 * large, bad JSON, unsupported media type) through its exception layer, so
 * the one AllErrorsFilter renders those too. Logs are pino's JSON lines at
 * LOG_LEVEL; every response carries its request id in x-request-id.
 */
export async function createApp(
  options: IdentityServiceOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    ...REQUEST_ID_OPTIONS,
    // While shutting down, requests already on a connection are served (with Connection: close).
    return503OnClosing: false,
    clientErrorHandler,
    frameworkErrors,
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(options),
    adapter,
    { abortOnError: false, bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  // Nest's own level check (Logger.isLevelEnabled) follows LOG_LEVEL too.
  NestLogger.overrideLogger(
    nestLogLevels(app.get<ConfigType<typeof loggingConfig>>(loggingConfig.KEY).level),
  );
  app.useGlobalFilters(new AllErrorsFilter());
  return app;
}
