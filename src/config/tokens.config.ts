import { registerAs } from '@nestjs/config';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../keys/signing-algorithm.js';
import { InvalidEnvironmentError, optionalString, readEnvironment } from './environment.js';

export interface TokensConfig {
  /** Default algorithm of JWT access tokens; a client's access_token_signed_response_alg wins. */
  readonly accessTokenSigningAlg: SigningAlgorithm;
}

export function parseTokensConfig(env: NodeJS.ProcessEnv): TokensConfig {
  const alg = optionalString(env, 'ACCESS_TOKEN_SIGNING_ALG') ?? 'ES256';
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new InvalidEnvironmentError(
      'ACCESS_TOKEN_SIGNING_ALG',
      `must be one of ${SIGNING_ALGORITHMS.join(', ')} (got "${alg}")`,
    );
  }
  return { accessTokenSigningAlg: alg as SigningAlgorithm };
}

export const tokensConfig = registerAs('tokens', () => parseTokensConfig(readEnvironment()));
