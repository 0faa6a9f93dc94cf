import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type IdentityServiceOptions } from './app.module.js';
import { AllErrorsFilter } from './common/http/all-errors.filter.js';
import { clientErrorHandler } from './common/http/client-error.handler.js';
import { frameworkErrors } from './common/http/framework-errors.js';

/** Request bodies larger than this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024;

const LOG_LEVELS: LogLevel[] = ['log', 'warn', 'error', 'fatal'];

/**
 * The application on Fastify. Nest routes Fastify's own errors (body too
 * large, bad JSON, unsupported media type) through its exception layer, so
 * the one AllErrorsFilter renders those too.
 */
export async function createApp(
  options: IdentityServiceOptions = {},
  logLevels: LogLevel[] = LOG_LEVELS,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    clientErrorHandler,
    frameworkErrors,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(options),
    adapter,
    {
      abortOnError: false,
      logger: logLevels,
    },
  );
  app.useGlobalFilters(new AllErrorsFilter());
  app.enableShutdownHooks();
  return app;
}
