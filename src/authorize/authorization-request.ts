import type { OAuthError } from '../common/oauth/oauth-error.js';

export type ResponseMode = 'query' | 'fragment' | 'form_post';

/** A checked authorization request, as kept across the login and consent pages. */
export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  /** Whether redirect_uri was in the request (then the token request must repeat it). */
  readonly redirectUriGiven: boolean;
  /** Canonical spelling (e.g. "code id_token"). */
  readonly responseType: string;
  readonly responseMode: ResponseMode;
  readonly scopes: readonly string[];
  readonly state?: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly prompt: readonly string[];
  /** Seconds; the request's max_age, else the client's default_max_age. */
  readonly maxAge?: number;
  readonly loginHint?: string;
}

/** Where and how an authorization response (or a redirectable error) goes. */
export interface ResponseTarget {
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  readonly state?: string;
}

/**
 * An error of the authorization request that may go back to the client
 * (RFC 6749 §4.1.2.1): the client and redirect URI were valid.
 */
export class AuthorizationRedirectError extends Error {
  constructor(
    readonly error: OAuthError,
    readonly target: ResponseTarget,
  ) {
    super(error.description);
    this.name = 'AuthorizationRedirectError';
  }
}

/**
 * An error that must NOT go to the redirect URI (unknown client, redirect URI
 * not registered, expired or forged page submission): shown as a page.
 */
export class AuthorizationPageError extends Error {
  constructor(
    readonly description: string,
    readonly status: number = 400,
  ) {
    super(description);
    this.name = 'AuthorizationPageError';
  }
}
