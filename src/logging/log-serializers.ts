import type { FastifyRequest } from 'fastify';

/** The parts of a request a log line shows: never headers, body or query string. */
export interface LoggedRequest {
  readonly method: string;
  /** The path alone: a query may carry a code, a token or a login hint. */
  readonly path: string;
  readonly remoteAddress: string;
}

export function loggedRequest(request: FastifyRequest): LoggedRequest {
  const url = request.url;
  const query = url.indexOf('?');
  return {
    method: request.method,
    path: query === -1 ? url : url.slice(0, query),
    remoteAddress: request.ip,
  };
}

const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'location',
  'password',
  'client_secret',
  'client_assertion',
  'assertion',
  'code',
  'code_verifier',
  'device_code',
  'user_code',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'subject_token',
  'actor_token',
  'id_token_hint',
  'csrf_token',
];

/**
 * Defence in depth: should an object with one of these fields ever be
 * logged (at the top, one level down, or as a header), its value is replaced.
 */
export const REDACTED_PATHS = [
  ...SECRET_FIELDS.map((field) => `["${field}"]`),
  ...SECRET_FIELDS.map((field) => `*["${field}"]`),
  ...SECRET_FIELDS.map((field) => `*.headers["${field}"]`),
];
