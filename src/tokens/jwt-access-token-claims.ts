import type { JoseObject } from '../keys/jws-verifier.js';
import type { AccessTokenClaims } from './token-claims.js';

/**
 * RFC 9068 §4: a JWT access token's `typ` is `at+jwt` or
 * `application/at+jwt`, compared without regard to case (RFC 7515 §4.1.9).
 */
export function isAccessTokenType(typ: unknown): boolean {
  return typeof typ === 'string' && /^(application\/)?at\+jwt$/i.test(typ);
}

/**
 * The claims of a verified JWT access token if they make it one of this
 * issuer's, current at `now` (epoch seconds): `iss` is the issuer; `exp` a
 * number after now (RFC 7519 §4.1.4, no leeway: the service checks its own
 * clock); `iat` a number; `nbf`, when there, not after now; `jti`, `sub`
 * and `client_id` strings (RFC 9068 §2.2). Otherwise undefined.
 */
export function accessTokenClaimsOf(
  payload: JoseObject,
  issuer: string,
  now: number,
): AccessTokenClaims | undefined {
  const { iss, exp, iat, nbf, jti, sub, client_id: clientId } = payload;
  if (iss !== issuer) return undefined;
  if (typeof exp !== 'number' || Number.isNaN(exp) || exp <= now) return undefined;
  if (typeof iat !== 'number' || Number.isNaN(iat)) return undefined;
  if (nbf !== undefined && (typeof nbf !== 'number' || !(nbf <= now))) return undefined;
  if (typeof jti !== 'string' || typeof sub !== 'string' || typeof clientId !== 'string') {
    return undefined;
  }
  return payload as unknown as AccessTokenClaims;
}
