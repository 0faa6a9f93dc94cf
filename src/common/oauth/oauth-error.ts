/**
 * A protocol error of RFC 6749 (§4.1.2.1, §5.2) and the specs that extend it.
 * `description` goes on the wire; `detail` is for the log only.
 */
export abstract class OAuthError extends Error {
  abstract readonly error: string;
  readonly status: number = 400;
  /** Extra response headers, e.g. WWW-Authenticate. */
  readonly headers: Readonly<Record<string, string>> = {};

  constructor(
    readonly description: string,
    readonly detail?: string,
  ) {
    super(description);
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

/** RFC 7009 §2.2.1 */
export class UnsupportedTokenTypeError extends OAuthError {
  readonly error = 'unsupported_token_type';
}

export class ServerError extends OAuthError {
  readonly error = 'server_error';
  override readonly status = 500;
}
