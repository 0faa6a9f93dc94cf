import type { KeyObject } from 'node:crypto';
import { JWS_METHODS, jwsPool } from './jws-crypto.js';
import type { SigningAlgorithm } from './signing-algorithm.js';

/**
 * Compact JWS signing (RFC 7515) with node:crypto, the hot path of every JWT
 * access token, on the signing pool's worker threads, so the event loop
 * keeps serving while other cores sign.
 */
export async function signCompactJws(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
  alg: SigningAlgorithm,
  privateKey: KeyObject,
): Promise<string> {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${await jwsPool.sign(input, privateKey, JWS_METHODS[alg])}`;
}

function base64url(value: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
