import { MAX_JWKS_KEYS, publicJwksProblem } from './jwks.rules.js';

const EC_PUBLIC = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };

describe('publicJwksProblem', () => {
  it('when the set holds public RSA, EC and OKP keys then there is no problem', () => {
    expect(
      publicJwksProblem({
        keys: [
          EC_PUBLIC,
          { kty: 'RSA', n: 'n', e: 'AQAB' },
          { kty: 'OKP', crv: 'Ed25519', x: 'x' },
        ],
      }),
    ).toBeUndefined();
  });

  it('when the set is empty then there is no problem (keys may be added later)', () => {
    expect(publicJwksProblem({ keys: [] })).toBeUndefined();
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['a string', 'keys'],
    ['an object without keys', {}],
    ['an object whose keys is not an array', { keys: {} }],
  ])('when the value is %s then it is not a JWK Set', (_, value) => {
    expect(publicJwksProblem(value)).toBe('must be a JWK Set: an object with a "keys" array');
  });

  it('when a key carries a private exponent then the key and the members are named', () => {
    expect(publicJwksProblem({ keys: [EC_PUBLIC, { ...EC_PUBLIC, d: 'secret' }] })).toBe(
      'keys[1] holds private key material (d); register public keys only',
    );
  });

  it('when a key is symmetric then it is refused', () => {
    expect(publicJwksProblem({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })).toBe(
      'keys[0] must be a public key of kty RSA, EC or OKP',
    );
  });

  it('when a key is not an object then it is named', () => {
    expect(publicJwksProblem({ keys: ['EC'] })).toBe('keys[0] is not a JWK object');
  });

  it('when there are too many keys then it is refused', () => {
    expect(
      publicJwksProblem({ keys: Array.from({ length: MAX_JWKS_KEYS + 1 }, () => EC_PUBLIC) }),
    ).toBe(`must hold at most ${MAX_JWKS_KEYS} keys`);
  });
});
