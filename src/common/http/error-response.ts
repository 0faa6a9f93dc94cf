import { HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isDatabaseUnavailable } from '../../database/database-unavailable.js';
import { SharedStateUnavailableError } from '../../shared-state/shared-state-unavailable.error.js';
import {
  AccessTokenRequiredError,
  InvalidRequestError,
  OAuthError,
  ServerError,
  TemporarilyUnavailableError,
} from '../oauth/oauth-error.js';
import { ProblemError } from '../problem/problem.error.js';

export interface ErrorResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Undefined for a response without a body (RFC 6750 §3.1's bare challenge). */
  readonly body: object | undefined;
}

const logger = new Logger('Errors');
const ADMIN_PREFIX = '/admin';

/**
 * The one place where an error becomes an HTTP response: RFC 6749 JSON on the
 * protocol endpoints, RFC 9457 problem details under /admin. A database
 * that does not answer is 503 temporarily_unavailable; anything else
 * unexpected becomes a 500 naming the request id, which is also logged.
 */
export function errorResponse(
  error: unknown,
  url: string,
  requestId: string = randomUUID(),
): ErrorResponse {
  const path = url.split(/[?#]/, 1)[0]!;
  const admin = path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
  return admin ? problemResponse(error, requestId) : oauthResponse(error, requestId);
}

const UNAVAILABLE = 'the service is temporarily unavailable, try again later';

function oauthResponse(error: unknown, requestId: string): ErrorResponse {
  const oauthError = error instanceof OAuthError ? error : toOAuthError(error, requestId);
  if (oauthError.detail) logger.debug(`${oauthError.error}: ${oauthError.detail}`);
  if (oauthError instanceof AccessTokenRequiredError) {
    const headers = { ...oauthError.headers, 'Cache-Control': 'no-store', Pragma: 'no-cache' };
    return { status: oauthError.status, headers, body: undefined };
  }
  return {
    status: oauthError.status,
    headers: {
      ...oauthError.headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
    },
    body: { error: oauthError.error, error_description: oauthError.description },
  };
}

/** What the service depends on does not answer: the database, or Redis where a check fails closed. */
function isUnavailable(error: unknown): boolean {
  return isDatabaseUnavailable(error) || error instanceof SharedStateUnavailableError;
}

function toOAuthError(error: unknown, requestId: string): OAuthError {
  if (isUnavailable(error)) {
    logUnavailable(error, requestId);
    return new TemporarilyUnavailableError(UNAVAILABLE);
  }
  const status = httpStatusOf(error);
  if (status === 404) return new NotFoundError('no such endpoint');
  if (status === 405) return new NotFoundError('method not allowed on this endpoint', 405);
  if (status === 413) return new PayloadTooLargeError();
  if (status === 415) {
    return new InvalidRequestError('content type must be application/x-www-form-urlencoded');
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new InvalidRequestError('the request body could not be parsed');
  }
  logUnexpected(error, requestId);
  return new ServerError(`internal error, request id ${requestId}`);
}

function problemResponse(error: unknown, requestId: string): ErrorResponse {
  const problem = error instanceof ProblemError ? error : toProblem(error, requestId);
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title: problem.title,
    status: problem.status,
  };
  if (problem.detail !== undefined) body.detail = problem.detail;
  if (problem.errors !== undefined) body.errors = problem.errors;
  const headers: Record<string, string> = {
    ...problem.headers,
    'Content-Type': 'application/problem+json; charset=utf-8',
    'Cache-Control': 'no-store',
  };
  return { status: problem.status, headers, body };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
};

function toProblem(error: unknown, requestId: string): ProblemError {
  if (isUnavailable(error)) {
    logUnavailable(error, requestId);
    return new ProblemError(503, 'Service Unavailable', UNAVAILABLE);
  }
  const status = httpStatusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return new ProblemError(status, TITLES[status] ?? 'Client Error', publicMessage(error, status));
  }
  logUnexpected(error, requestId);
  return new ProblemError(500, 'Internal Server Error', `internal error, request id ${requestId}`);
}

function publicMessage(error: unknown, status: number): string {
  if (status === 400 && isFastifyError(error) && error.code.includes('JSON')) {
    return 'the request body is not valid JSON';
  }
  if (status === 415) return 'the request body must be application/json';
  if (status === 413) return 'the request body is too large';
  if (error instanceof HttpException) {
    const response = error.getResponse();
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const message = (response as { message: unknown }).message;
      if (typeof message === 'string') return message;
    }
  }
  return error instanceof Error ? error.message : 'bad request';
}

function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  if (isFastifyError(error)) return error.statusCode;
  return undefined;
}

function isFastifyError(error: unknown): error is Error & { statusCode: number; code: string } {
  return (
    error instanceof Error &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

function logUnexpected(error: unknown, requestId: string): void {
  logger.error(
    `unexpected error, request id ${requestId}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
}

function logUnavailable(error: unknown, requestId: string): void {
  const reason = error instanceof Error ? error.message : String(error);
  const what = error instanceof SharedStateUnavailableError ? 'shared state' : 'database';
  logger.warn(`${what} unavailable, request id ${requestId}: ${reason}`);
}

class NotFoundError extends OAuthError {
  readonly error = 'not_found';
  constructor(
    description: string,
    override readonly status: number = 404,
  ) {
    super(description);
  }
}

class PayloadTooLargeError extends OAuthError {
  readonly error = 'invalid_request';
  override readonly status = 413;
  constructor() {
    super('the request body is too large');
  }
}
