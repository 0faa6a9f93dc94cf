import { createHash } from 'node:crypto';

/**
 * at_hash / c_hash (OpenID Connect Core §3.1.3.6, §3.3.2.11): the left half
 * of the SHA-256 of the value, base64url. SHA-256 fits every ID token
 * algorithm this service signs with (RS256, ES256).
 */
export function leftHalfHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
