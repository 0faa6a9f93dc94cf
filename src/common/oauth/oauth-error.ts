import { errorDescription } from './error-description.js';

/**
 * A protocol error of RFC 6749 (§4.1.2.1, §5.2) and the specs that extend it.
 * `description` goes on the wire; `detail` is for the log only.
 */
export abstract class OAuthError extends Error {
  abstract readonly error: string;
  readonly status: number = 400;
  /** Extra response headers, e.g. WWW-Authenticate. */
  readonly headers: Readonly<Record<string, string>> = {};
  /** The error_description, in the characters RFC 6749 allows it and cut short (errorDescription). */
  readonly description: string;

  constructor(
    description: string,
    readonly detail?: string,
  ) {
    const allowed = errorDescription(description);
    super(allowed);
    this.description = allowed;
    this.name = new.target.name;
  }
}

export class InvalidRequestError extends OAuthError {
  readonly error = 'invalid_request';
}

export class InvalidClientError extends OAuthError {
  readonly error = 'invalid_client';
  override readonly status: number;
  override readonly headers: Readonly<Record<string, string>>;

  /**
   * RFC 6749 §5.2: a client that tried HTTP Basic gets 401 and a
   * WWW-Authenticate challenge for that scheme; otherwise 400.
   */
  constructor(description: string, options: { basicRealm?: string; detail?: string } = {}) {
    super(description, options.detail);
    if (options.basicRealm === undefined) {
      this.status = 400;
      this.headers = {};
    } else {
      this.status = 401;
      this.headers = { 'WWW-Authenticate': `Basic realm="${options.basicRealm}"` };
    }
  }
}

export class InvalidGrantError extends OAuthError {
  readonly error = 'invalid_grant';
}

export class UnauthorizedClientError extends OAuthError {
  readonly error = 'unauthorized_client';
}

export class UnsupportedGrantTypeError extends OAuthError {
  readonly error = 'unsupported_grant_type';
}

export class InvalidScopeError extends OAuthError {
  readonly error = 'invalid_scope';
}

/** RFC 8707 §2, RFC 8693 §2.2.2: a requested audience or resource the server will not issue a token for. */
export class InvalidTargetError extends OAuthError {
  readonly error = 'invalid_target';
}

export class ServerError extends OAuthError {
  readonly error = 'server_error';
  override readonly status = 500;
}

/**
 * RFC 6749 §4.1.2.1: the server cannot handle the request now (here: its
 * database does not answer). 503, so that clients and load balancers retry.
 */
export class TemporarilyUnavailableError extends OAuthError {
  readonly error = 'temporarily_unavailable';
  override readonly status = 503;
}

/**
 * Too many requests: failed attempts of a client, account or address
 * (refused before any credential is checked), or a client's quota used up;
 * until Retry-After has passed (RFC 6585 §4, RFC 9110 §10.2.3).
 * temporarily_unavailable is the registered code that tells a client to try
 * again later.
 */
export class TooManyRequestsError extends OAuthError {
  readonly error = 'temporarily_unavailable';
  override readonly status = 429;
  override readonly headers: Readonly<Record<string, string>>;

  constructor(reason: string, retryAfterMs: number, detail?: string) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(`${reason}: try again in ${seconds} s`, detail);
    this.headers = { 'Retry-After': String(seconds) };
  }
}

export const TOO_MANY_FAILURES = 'too many failed attempts';

/** RFC 6749 §4.1.2.1 */
export class AccessDeniedError extends OAuthError {
  readonly error = 'access_denied';
}

export class UnsupportedResponseTypeError extends OAuthError {
  readonly error = 'unsupported_response_type';
}

/** OpenID Connect Core §3.1.2.6 */
export class LoginRequiredError extends OAuthError {
  readonly error = 'login_required';
}

export class ConsentRequiredError extends OAuthError {
  readonly error = 'consent_required';
}

export class RequestNotSupportedError extends OAuthError {
  readonly error = 'request_not_supported';
}

export class RequestUriNotSupportedError extends OAuthError {
  readonly error = 'request_uri_not_supported';
}

/** RFC 6750 §3: the WWW-Authenticate challenge of a resource protected by bearer tokens. */
export function bearerChallenge(realm: string, error?: string, scope?: string): string {
  // RFC 9110 §5.6.4 quoted-string: backslash and double quote are escaped.
  const quoted = (value: string) => `"${value.replace(/[\\"]/g, '\\$&')}"`;
  const attributes = [`realm=${quoted(realm)}`];
  if (error !== undefined) attributes.push(`error=${quoted(error)}`);
  if (scope !== undefined) attributes.push(`scope=${quoted(scope)}`);
  return `Bearer ${attributes.join(', ')}`;
}

/**
 * RFC 6750 §3.1: a request to a bearer-protected resource that carries no
 * access token gets a bare challenge: 401 and WWW-Authenticate without an
 * error code, no body. `error` only names it in the log.
 */
export class AccessTokenRequiredError extends OAuthError {
  readonly error = 'access_token_required';
  override readonly status = 401;
  override readonly headers: Readonly<Record<string, string>>;

  constructor(realm: string) {
    super('a bearer access token is required');
    this.headers = { 'WWW-Authenticate': bearerChallenge(realm) };
  }
}

/**
 * RFC 6750 §3.1: a malformed request to a bearer-protected resource (token in
 * the URL, sent two ways, a broken credential): 400 invalid_request, with the
 * challenge that §3 requires of every response that does not grant access.
 */
export class InvalidBearerRequestError extends InvalidRequestError {
  override readonly headers: Readonly<Record<string, string>>;

  constructor(description: string, realm: string) {
    super(description);
    this.headers = { 'WWW-Authenticate': bearerChallenge(realm, this.error) };
  }
}

/** RFC 6750 §3.1: the access token is malformed, expired, revoked or otherwise unusable here. */
export class InvalidTokenError extends OAuthError {
  readonly error = 'invalid_token';
  override readonly status = 401;
  override readonly headers: Readonly<Record<string, string>>;

  constructor(description: string, options: { realm: string; detail?: string }) {
    super(description, options.detail);
    this.headers = { 'WWW-Authenticate': bearerChallenge(options.realm, this.error) };
  }
}

/** RFC 6750 §3.1: the access token lacks a scope the resource needs; the challenge names it. */
export class InsufficientScopeError extends OAuthError {
  readonly error = 'insufficient_scope';
  override readonly status = 403;
  override readonly headers: Readonly<Record<string, string>>;

  constructor(description: string, options: { realm: string; scope: string; detail?: string }) {
    super(description, options.detail);
    this.headers = {
      'WWW-Authenticate': bearerChallenge(options.realm, this.error, options.scope),
    };
  }
}
