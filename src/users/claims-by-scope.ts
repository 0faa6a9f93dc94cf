import { epochSeconds } from '../common/time.js';
import type { UserEntity } from './user.entity.js';

/** The scope values OpenID Connect Core 1.0 defines (§3.1.2.1, §5.4, §11). */
export const OIDC_SCOPES: readonly string[] = Object.freeze([
  'openid',
  'profile',
  'email',
  'address',
  'phone',
  'offline_access',
]);

/** OpenID Connect Core 1.0 §5.4: the claims each standard scope asks for. */
export const CLAIMS_BY_SCOPE: Readonly<Record<string, readonly string[]>> = Object.freeze({
  profile: Object.freeze([
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ]),
  email: Object.freeze(['email', 'email_verified']),
  address: Object.freeze(['address']),
  phone: Object.freeze(['phone_number', 'phone_number_verified']),
});

/** Every claim the service can release: sub and those of the standard scopes (discovery's claims_supported). */
export const SUPPORTED_CLAIMS: readonly string[] = Object.freeze([
  'sub',
  ...Object.values(CLAIMS_BY_SCOPE).flat(),
]);

/**
 * The user's claims that the granted scopes release (OpenID Connect Core
 * §5.4), without sub. Only claims the user has appear (§5.3.2: absent, never
 * null); updated_at is the time the user was last changed, in epoch seconds.
 * Scopes other than the four claim scopes release nothing.
 */
export function claimsForScopes(
  user: UserEntity,
  scopes: readonly string[],
): Record<string, unknown> {
  const available: Record<string, unknown> = {
    ...user.claims,
    updated_at: epochSeconds(user.updatedAt),
  };
  if (user.claims.address !== undefined) {
    const address = { ...user.claims.address };
    available.address = Object.keys(address).length > 0 ? address : undefined;
  }
  const claims: Record<string, unknown> = {};
  for (const scope of new Set(scopes)) {
    if (!Object.hasOwn(CLAIMS_BY_SCOPE, scope)) continue;
    for (const name of CLAIMS_BY_SCOPE[scope]!) {
      const value = available[name];
      if (value !== undefined && value !== null) claims[name] = value;
    }
  }
  return claims;
}
