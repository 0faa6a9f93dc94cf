import { invalidEnvironmentError } from '../../test/support/thrown-error.js';
import { SIGNING_ALGORITHMS } from '../keys/signing-algorithm.js';
import { parseTokensConfig } from './tokens.config.js';

describe('parseTokensConfig', () => {
  it('when ACCESS_TOKEN_SIGNING_ALG is unset then access tokens are signed with ES256', () => {
    expect(parseTokensConfig({})).toEqual({ accessTokenSigningAlg: 'ES256' });
  });

  it.each([...SIGNING_ALGORITHMS])('when ACCESS_TOKEN_SIGNING_ALG is %s then it is used', (alg) => {
    expect(parseTokensConfig({ ACCESS_TOKEN_SIGNING_ALG: alg })).toEqual({
      accessTokenSigningAlg: alg,
    });
  });

  it.each(['HS256', 'none', 'es256', 'RS512', 'Ed25519'])(
    'when ACCESS_TOKEN_SIGNING_ALG is %s then start-up fails naming it',
    (alg) => {
      const error = invalidEnvironmentError(() =>
        parseTokensConfig({ ACCESS_TOKEN_SIGNING_ALG: alg }),
      );
      expect(error.variable).toBe('ACCESS_TOKEN_SIGNING_ALG');
      expect(error.message).toBe(
        `Invalid configuration: ACCESS_TOKEN_SIGNING_ALG must be one of ES256, RS256, PS256, EdDSA (got "${alg}")`,
      );
    },
  );
});
