import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Level, Logger } from 'pino';
import { loggedRequest } from './log-serializers.js';
import { ROOT_LOGGER } from './root-logger.js';

/** A completed request: debug when it went well, info for a client error, error for a server error. */
export function completionLevel(status: number): Level {
  if (status >= 500) return 'error';
  return status >= 400 ? 'info' : 'debug';
}

/**
 * One line per answered request, with its id, method, path (never the
 * query), status and time; never headers, bodies or the Location of a
 * redirect. A Fastify hook rather than middleware: when the line's level is
 * off, it costs one comparison.
 */
@Injectable()
export class RequestLogHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    // An application context without HTTP (e.g. the CLI) has no adapter.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify === undefined) return;
    const logger = this.logger;
    fastify.addHook('onResponse', (request, reply, done) => {
      const level = completionLevel(reply.statusCode);
      if (logger.isLevelEnabled(level)) {
        logger[level](
          {
            reqId: request.id,
            req: loggedRequest(request),
            res: { statusCode: reply.statusCode },
            responseTime: reply.elapsedTime,
          },
          'request completed',
        );
      }
      done();
    });
  }
}
