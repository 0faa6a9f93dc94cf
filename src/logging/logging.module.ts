import { type DynamicModule, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DestinationStream, stdTimeFunctions, type LevelWithSilent } from 'pino';
import { loggingConfig } from '../config/logging.config.js';
import { REDACTED_PATHS, serializeRequest, serializeResponse } from './log-serializers.js';
import { requestIdOf } from './request-id.js';

/** A completed request: debug when it went well, info for a client error, error for a server error. */
function completionLevel(
  _: IncomingMessage,
  response: ServerResponse,
  error?: Error,
): LevelWithSilent {
  if (error !== undefined || response.statusCode >= 500) return 'error';
  return response.statusCode >= 400 ? 'info' : 'debug';
}

/**
 * Structured JSON logs (pino through nestjs-pino): one object a line, with the
 * request id (`reqId`) on every line written while serving a request. What
 * could hold a secret (headers, bodies, query strings, Location) is never
 * serialized, and known secret fields are redacted should one slip through.
 */
@Module({})
export class LoggingModule {
  static forRoot(destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [loggingConfig.KEY],
          useFactory: (config: ConfigType<typeof loggingConfig>) => {
            const options = {
              level: config.level,
              timestamp: stdTimeFunctions.isoTime,
              formatters: { level: (label: string) => ({ level: label.toUpperCase() }) },
              redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
              serializers: { req: serializeRequest, res: serializeResponse },
              genReqId: (request: IncomingMessage) =>
                (request as IncomingMessage & { id?: string }).id ?? requestIdOf(request),
              quietReqLogger: true,
              customLogLevel: completionLevel,
              // The error itself is logged where it is handled (AllErrorsFilter); the
              // request line keeps to request, status and time.
              customErrorObject: (
                _request: IncomingMessage,
                _response: ServerResponse,
                _error: Error,
                line: Record<string, unknown>,
              ) => ({ req: line.req, res: line.res, responseTime: line.responseTime }),
            };
            return {
              // Every path (nestjs-pino's default pattern matches none on this adapter).
              forRoutes: ['*path'],
              pinoHttp: destination === undefined ? options : [options, destination],
            };
          },
        }),
      ],
    };
  }
}
