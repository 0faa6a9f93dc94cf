import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What an incoming x-request-id may be to be kept: short, and nothing that could forge a log line. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's genReqId: the caller's x-request-id when it is a sane token
 * (so that a request can be followed across services), a new UUID otherwise.
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** The adapter options that make Fastify's request id the one of this service. */
export const REQUEST_ID_OPTIONS = {
  genReqId: requestIdOf,
  // Fastify would otherwise take the header as it is, unchecked.
  requestIdHeader: false,
} as const;
