import { constants, type KeyObject, sign } from 'node:crypto';
import type { SigningAlgorithm } from './signing-algorithm.js';

/**
 * Compact JWS signing (RFC 7515) with node:crypto: about twice as fast per
 * core as going through WebCrypto, and the hot path of every JWT access
 * token. Verification stays with jose.
 */
export function signCompactJws(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
  alg: SigningAlgorithm,
  privateKey: KeyObject,
): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  const data = Buffer.from(input);
  let signature: Buffer;
  switch (alg) {
    case 'ES256':
      signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      break;
    case 'RS256':
      signature = sign('sha256', data, privateKey);
      break;
    case 'PS256':
      signature = sign('sha256', data, {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
      break;
    case 'EdDSA':
      signature = sign(null, data, privateKey);
      break;
  }
  return `${input}.${signature.toString('base64url')}`;
}

function base64url(value: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
