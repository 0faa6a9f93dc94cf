import { accessTokenClaimsOf, isAccessTokenType } from './jwt-access-token-claims.js';

const ISSUER = 'https://id.example.com';
const NOW = 1_800_000_000;
const CLAIMS = {
  iss: ISSUER,
  sub: 'user-1',
  aud: ISSUER,
  client_id: 'app',
  scope: 'read',
  jti: 'j-1',
  iat: NOW - 10,
  exp: NOW + 60,
};

describe('isAccessTokenType', () => {
  it.each(['at+jwt', 'application/at+jwt', 'AT+JWT', 'Application/At+Jwt'])(
    'accepts %s (RFC 9068 §4, case-insensitive)',
    (typ) => expect(isAccessTokenType(typ)).toBe(true),
  );

  it.each(['JWT', 'jwt', 'at+jwt ', 'application/jwt', 'x-at+jwt', undefined, 1, ['at+jwt']])(
    'refuses %s',
    (typ) => expect(isAccessTokenType(typ)).toBe(false),
  );
});

describe('accessTokenClaimsOf', () => {
  it('when every claim is right then the claims come back', () => {
    expect(accessTokenClaimsOf(CLAIMS, ISSUER, NOW)).toEqual(CLAIMS);
    expect(accessTokenClaimsOf({ ...CLAIMS, nbf: NOW }, ISSUER, NOW)).toBeDefined();
  });

  it.each([
    ['another issuer', { iss: 'https://id.example.com/' }],
    ['no issuer', { iss: undefined }],
    ['exp now (RFC 7519 §4.1.4: on or after exp it is expired)', { exp: NOW }],
    ['exp past', { exp: NOW - 1 }],
    ['exp as a string', { exp: String(NOW + 60) }],
    ['exp NaN-like', { exp: null }],
    ['no exp', { exp: undefined }],
    ['no iat', { iat: undefined }],
    ['iat as a string', { iat: String(NOW) }],
    ['nbf in the future', { nbf: NOW + 1 }],
    ['nbf as a string', { nbf: String(NOW) }],
    ['no jti', { jti: undefined }],
    ['jti a number', { jti: 7 }],
    ['no sub', { sub: undefined }],
    ['no client_id', { client_id: undefined }],
    ['client_id an array', { client_id: ['app'] }],
  ])('when it has %s then it is not an access token of this issuer', (_, change) => {
    const claims: Record<string, unknown> = { ...CLAIMS, ...change };
    for (const [name, value] of Object.entries(change))
      if (value === undefined) delete claims[name];
    expect(accessTokenClaimsOf(claims, ISSUER, NOW)).toBeUndefined();
  });
});
