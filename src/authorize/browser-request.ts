import type { FastifyRequest } from 'fastify';
import type { BrowserRequest } from './authorization.service.js';

/** What the browser pages need of a request: its cookies and its address (for throttling). */
export function browserOf(request: FastifyRequest): BrowserRequest {
  return { cookieHeader: request.headers.cookie, address: request.ip };
}

export function queryOf(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

/** Form bodies only; anything else reads as no parameters (and fails validation as such). */
export function formOf(request: FastifyRequest): Record<string, unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const body = request.body;
  return type === 'application/x-www-form-urlencoded' && typeof body === 'object' && body !== null
    ? (body as Record<string, unknown>)
    : {};
}
