/**
 * JWS algorithms accepted in assertions (RFC 7518 §3): asymmetric ones for
 * keys published as JWKs, HMAC only for client_secret_jwt. `none` is never
 * accepted, and HMAC never with a public key: each verification passes the
 * allow-list of its key's kind to jose.
 */
export const ASYMMETRIC_JWS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export const HMAC_JWS_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

export function isHmacAlgorithm(alg: unknown): boolean {
  return typeof alg === 'string' && (HMAC_JWS_ALGORITHMS as readonly string[]).includes(alg);
}
