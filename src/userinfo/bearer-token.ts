import type { FastifyRequest } from 'fastify';
import { readFormParams } from '../common/oauth/form-params.js';
import { InvalidRequestError } from '../common/oauth/oauth-error.js';

/** RFC 6750 §2.1: b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const BEARER_CREDENTIALS = /^Bearer +(.*)$/i;
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * The access token a request to a protected resource presents (RFC 6750 §2),
 * or undefined when it presents none: from the `Authorization: Bearer`
 * header (§2.1) or, in a form-encoded POST, the `access_token` parameter
 * (§2.2). Never from the URL (§2.3, not supported: URLs end up in logs), and
 * never two ways at once (§3.1: invalid_request).
 */
export function bearerTokenOf(request: FastifyRequest): string | undefined {
  const query = request.query;
  if (typeof query === 'object' && query !== null && Object.hasOwn(query, 'access_token')) {
    throw new InvalidRequestError('access tokens are not accepted in the URL query');
  }
  const fromHeader = headerToken(request.headers.authorization);
  const fromBody = formToken(request);
  if (fromHeader !== undefined && fromBody !== undefined) {
    throw new InvalidRequestError('the access token must be sent in one way only');
  }
  return fromHeader ?? fromBody;
}

/** Another scheme (e.g. Basic) presents no bearer token; a broken Bearer credential is malformed. */
function headerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = BEARER_CREDENTIALS.exec(authorization.trim());
  if (match === null) {
    if (/^Bearer$/i.test(authorization.trim())) {
      throw new InvalidRequestError('the Authorization header has no bearer token');
    }
    return undefined;
  }
  const token = match[1]!;
  if (!B64TOKEN.test(token)) {
    throw new InvalidRequestError('the Authorization header is not a valid bearer credential');
  }
  return token;
}

function formToken(request: FastifyRequest): string | undefined {
  if (request.method !== 'POST') return undefined;
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== FORM_CONTENT_TYPE) return undefined;
  return readFormParams(request).access_token;
}
