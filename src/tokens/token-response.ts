import type { IssuedAccessToken } from './access-token.service.js';

/** RFC 6749 §5.1 successful token response. Extension grants may add members (e.g. issued_token_type). */
export interface TokenResponse {
  readonly access_token: string;
  /** 'Bearer' for this service's access tokens; RFC 8693 allows 'N_A'. */
  readonly token_type: string;
  readonly expires_in?: number;
  readonly refresh_token?: string;
  readonly scope?: string;
  readonly [member: string]: unknown;
}

export function bearerTokenResponse(
  access: IssuedAccessToken,
  refreshToken?: string,
): TokenResponse {
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    ...(access.claims.scope !== undefined ? { scope: access.claims.scope } : {}),
    ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
  };
}
