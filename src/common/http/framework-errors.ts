import { HttpException } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponse } from './error-response.js';

/**
 * Fastify's frameworkErrors: errors its router raises before Nest sees the
 * request (a path parameter longer than maxParamLength, a path parameter that
 * is not valid percent-encoding). Without this they get Fastify's own JSON,
 * which echoes the path, instead of a problem (under /admin) or an RFC 6749
 * error, like every other error of the service.
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const rewritten =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new HttpException('a path segment of the URL is too long', 414)
      : new HttpException('the URL is not valid', 400);
  const { status, headers, body } = errorResponse(rewritten, request.url);
  void reply.status(status).headers(headers).send(body);
}
