import { OAuthError } from '../../common/oauth/oauth-error.js';

/** RFC 8628 §3.5: the user has not decided yet; the client keeps polling. */
export class AuthorizationPendingError extends OAuthError {
  readonly error = 'authorization_pending';
}

/** RFC 8628 §3.5: polled faster than the interval; the interval grows by 5 s. */
export class SlowDownError extends OAuthError {
  readonly error = 'slow_down';
}

/** RFC 8628 §3.5: the device code expired; the client starts again. */
export class ExpiredTokenError extends OAuthError {
  readonly error = 'expired_token';
}
