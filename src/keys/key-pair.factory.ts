import { calculateJwkThumbprint, type JWK } from 'jose';
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { SigningAlgorithm } from './signing-algorithm.js';

const generate = promisify(generateKeyPair) as (
  type: string,
  options: object,
) => Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;

const KEY_TYPES: Readonly<Record<SigningAlgorithm, [string, object]>> = {
  ES256: ['ec', { namedCurve: 'P-256' }],
  RS256: ['rsa', { modulusLength: 2048 }],
  PS256: ['rsa', { modulusLength: 2048 }],
  EdDSA: ['ed25519', {}],
};

export interface GeneratedKeyPair {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public JWK as published: kty and key fields, kid, alg, use. */
  readonly publicJwk: JWK;
}

/** A new key pair for one algorithm; its kid is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKeyPair(alg: SigningAlgorithm): Promise<GeneratedKeyPair> {
  const [type, options] = KEY_TYPES[alg];
  const { publicKey, privateKey } = await generate(type, options);
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}
