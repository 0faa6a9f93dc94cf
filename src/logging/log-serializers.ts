import type { IncomingMessage, ServerResponse } from 'node:http';

/** The parts of a request a log line shows: never headers, body or query string. */
export interface LoggedRequest {
  readonly id: unknown;
  readonly method: string | undefined;
  /** The path alone: a query may carry a code, a token or a login hint. */
  readonly path: string;
  readonly remoteAddress: string | undefined;
}

/** pino-http hands its serializer a summary whose `raw` is the Node request. */
export function serializeRequest(request: { raw?: IncomingMessage; id?: unknown }): LoggedRequest {
  const raw = request.raw as (IncomingMessage & { originalUrl?: string }) | undefined;
  // Middleware sees a path relative to its mount point in `url`; `originalUrl` is the request's.
  const url = raw?.originalUrl ?? raw?.url ?? '';
  const query = url.indexOf('?');
  return {
    id: request.id,
    method: raw?.method,
    path: query === -1 ? url : url.slice(0, query),
    remoteAddress: raw?.socket?.remoteAddress,
  };
}

/** A response in the log: its status only, never its headers (Location carries codes and tokens). */
export function serializeResponse(response: { statusCode?: number; raw?: ServerResponse }): {
  readonly statusCode: number | undefined;
} {
  return { statusCode: response.raw?.statusCode ?? response.statusCode };
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
