import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { InvalidRequestError } from './oauth-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by FormBodyGuard: the single-valued form parameters of an OAuth request. */
    oauthParams?: Readonly<Record<string, string>>;
  }
}

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** RFC 6749 leaves lengths open; nothing legitimate comes near this, so longer values are refused early. */
const MAX_PARAMETER_LENGTH = 8192;
/** The most parameters any request of RFC 6749 or its extensions needs is a few dozen. */
export const MAX_PARAMETERS = 100;

/**
 * Checks an OAuth back-channel request's body (RFC 6749 §3.2, §4.1.3 …):
 * form-encoded, each parameter at most once (§3.1), values of sane length.
 * Returns the parameters as a plain string map.
 */
export function readFormParams(request: FastifyRequest): Readonly<Record<string, string>> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== FORM_CONTENT_TYPE) {
    throw new InvalidRequestError(`content type must be ${FORM_CONTENT_TYPE}`);
  }
  const body = (request.body ?? {}) as Record<string, unknown>;
  const names = Object.keys(body);
  if (names.length > MAX_PARAMETERS) {
    throw new InvalidRequestError(`the request has more than ${MAX_PARAMETERS} parameters`);
  }
  const params: Record<string, string> = {};
  for (const name of names) {
    const value = body[name];
    if (Array.isArray(value)) throw new InvalidRequestError(`parameter ${name} is repeated`);
    if (typeof value !== 'string') throw new InvalidRequestError(`parameter ${name} is malformed`);
    if (value.length > MAX_PARAMETER_LENGTH)
      throw new InvalidRequestError(`parameter ${name} is too long`);
    // RFC 6749 §3.1: parameters sent without a value are treated as omitted.
    if (value !== '') params[name] = value;
  }
  return params;
}

/** The parameters that FormBodyGuard checked. */
export const FormParams = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Readonly<Record<string, string>> => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return request.oauthParams ?? readFormParams(request);
  },
);
