import { constants } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { type SigningMethod, SigningPool } from './signing-pool.js';
import type { SigningAlgorithm } from './signing-algorithm.js';

/** The node:crypto digest and key options of each algorithm (RFC 7518 §3, RFC 8037). */
export const JWS_METHODS: Readonly<Record<SigningAlgorithm, SigningMethod>> = {
  ES256: { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  RS256: { digest: 'sha256', options: {} },
  PS256: {
    digest: 'sha256',
    options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  },
  EdDSA: { digest: null, options: {} },
};

/**
 * The process's signing threads, one per core, shared by the signer and the
 * verifier: what the event loop hands them is spread over the other cores
 * while it serves requests.
 */
export const jwsPool = new SigningPool(availableParallelism());
