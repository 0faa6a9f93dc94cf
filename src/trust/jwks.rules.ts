/** Members that only private or symmetric JWKs have (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const PUBLIC_KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);
export const MAX_JWKS_KEYS = 20;

/**
 * Why a registered JWK Set cannot verify assertions, or undefined when it can:
 * an object with a "keys" array of at most MAX_JWKS_KEYS public keys
 * (RSA, EC or OKP) and no private or symmetric key material.
 */
export function publicJwksProblem(jwks: unknown): string | undefined {
  if (typeof jwks !== 'object' || jwks === null || Array.isArray(jwks)) {
    return 'must be a JWK Set: an object with a "keys" array';
  }
  const keys = (jwks as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) return 'must be a JWK Set: an object with a "keys" array';
  if (keys.length > MAX_JWKS_KEYS) return `must hold at most ${MAX_JWKS_KEYS} keys`;
  for (const [index, key] of keys.entries()) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) {
      return `keys[${index}] is not a JWK object`;
    }
    const jwk = key as Record<string, unknown>;
    if (typeof jwk.kty !== 'string' || !PUBLIC_KEY_TYPES.has(jwk.kty)) {
      return `keys[${index}] must be a public key of kty RSA, EC or OKP`;
    }
    const secret = PRIVATE_MEMBERS.filter((member) => member in jwk);
    if (secret.length > 0) {
      return `keys[${index}] holds private key material (${secret.join(', ')}); register public keys only`;
    }
  }
  return undefined;
}
