import { hash, timingSafeEqual } from 'node:crypto';
import { randomBytesFromPool } from './random-pool.js';

/** A new random handle or secret: 256 bits, base64url (43 characters). */
export function randomHandle(): string {
  return randomBytesFromPool(32).toString('base64url');
}

/**
 * SHA-256 of a high-entropy value (a handle or a service-generated secret), base64url.
 * The one-shot crypto.hash: 0.37 µs against createHash's 0.96 µs, twice or more per request.
 */
export function sha256(value: string): string {
  return hash('sha256', value, 'base64url');
}

/**
 * Constant-time equality of two strings. Lengths leak, which is harmless for
 * the fixed-length digests this compares.
 */
export function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The SHA-256 of a secret nobody has: what an unknown client's presented secret is compared with. */
const DECOY_SECRET_HASH = sha256(randomHandle());

/**
 * The work of checking a presented secret when there is nothing to check it
 * against (an unknown client, or one registered for another method), so
 * that such a refusal takes the same path and time as a wrong secret.
 * Always false.
 */
export function decoySecretCheck(presented: string): false {
  constantTimeEquals(sha256(presented), DECOY_SECRET_HASH);
  return false;
}
