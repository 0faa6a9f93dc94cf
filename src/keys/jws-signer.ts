import { constants, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { type SigningMethod, SigningPool } from './signing-pool.js';
import type { SigningAlgorithm } from './signing-algorithm.js';

/** The node:crypto digest and key options of each algorithm (RFC 7518 §3, RFC 8037). */
const SIGNING: Readonly<Record<SigningAlgorithm, SigningMethod>> = {
  ES256: { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  RS256: { digest: 'sha256', options: {} },
  PS256: {
    digest: 'sha256',
    options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  },
  EdDSA: { digest: null, options: {} },
};

/**
 * The process's signing threads, one per core: what the event loop hands
 * them is spread over the others while it serves requests.
 */
const pool = new SigningPool(availableParallelism());

/**
 * Compact JWS signing (RFC 7515) with node:crypto, the hot path of every JWT
 * access token, on the signing pool's worker threads, so the event loop
 * keeps serving while other cores sign. Verification stays with jose.
 */
export async function signCompactJws(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
  alg: SigningAlgorithm,
  privateKey: KeyObject,
): Promise<string> {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${await pool.sign(input, privateKey, SIGNING[alg])}`;
}

function base64url(value: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
