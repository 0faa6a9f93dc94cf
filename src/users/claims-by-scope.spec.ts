import {
  CLAIMS_BY_SCOPE,
  claimsForScopes,
  OIDC_SCOPES,
  SUPPORTED_CLAIMS,
} from './claims-by-scope.js';
import type { UserClaims } from './user-claims.js';
import type { UserEntity } from './user.entity.js';

const UPDATED_AT_MS = 1_767_225_600_123;

function user(claims: UserClaims): UserEntity {
  return {
    id: '5b0f5f5e-0c2c-4d8e-9a51-2f3c3d9d1a11',
    username: 'ada',
    passwordHash: null,
    claims,
    createdAt: UPDATED_AT_MS - 1000,
    updatedAt: UPDATED_AT_MS,
  };
}

const EVERYTHING: UserClaims = {
  name: 'Ada Lovelace',
  given_name: 'Ada',
  family_name: 'Lovelace',
  middle_name: 'Augusta',
  nickname: 'Enchantress of Numbers',
  preferred_username: 'ada',
  profile: 'https://example.com/ada',
  picture: 'https://example.com/ada.png',
  website: 'https://ada.example.com',
  email: 'ada@example.com',
  email_verified: true,
  gender: 'female',
  birthdate: '1815-12-10',
  zoneinfo: 'Europe/London',
  locale: 'en-GB',
  phone_number: '+44 20 7946 0000',
  phone_number_verified: false,
  address: { locality: 'London', country: 'GB' },
};

describe('CLAIMS_BY_SCOPE', () => {
  it('when read then it is the mapping of OpenID Connect Core §5.4', () => {
    expect(CLAIMS_BY_SCOPE).toEqual({
      profile: [
        'name',
        'family_name',
        'given_name',
        'middle_name',
        'nickname',
        'preferred_username',
        'profile',
        'picture',
        'website',
        'gender',
        'birthdate',
        'zoneinfo',
        'locale',
        'updated_at',
      ],
      email: ['email', 'email_verified'],
      address: ['address'],
      phone: ['phone_number', 'phone_number_verified'],
    });
  });

  it('when someone tries to change it then it stays as it was', () => {
    expect(Object.isFrozen(CLAIMS_BY_SCOPE)).toBe(true);
    expect(Object.isFrozen(CLAIMS_BY_SCOPE.email)).toBe(true);
    expect(Object.isFrozen(OIDC_SCOPES)).toBe(true);
  });

  it('when the supported scopes and claims are listed then they are the standard ones and sub', () => {
    expect(OIDC_SCOPES).toEqual([
      'openid',
      'profile',
      'email',
      'address',
      'phone',
      'offline_access',
    ]);
    expect(SUPPORTED_CLAIMS[0]).toBe('sub');
    expect(new Set(SUPPORTED_CLAIMS)).toEqual(
      new Set(['sub', ...Object.keys(EVERYTHING), 'updated_at']),
    );
    expect(SUPPORTED_CLAIMS).toHaveLength(new Set(SUPPORTED_CLAIMS).size);
  });
});

describe('claimsForScopes', () => {
  it('when only openid is granted then no claim is released', () => {
    expect(claimsForScopes(user(EVERYTHING), ['openid'])).toEqual({});
  });

  it('when profile is granted then the profile claims the user has come, with updated_at in epoch seconds', () => {
    expect(claimsForScopes(user(EVERYTHING), ['openid', 'profile'])).toEqual({
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      middle_name: 'Augusta',
      nickname: 'Enchantress of Numbers',
      preferred_username: 'ada',
      profile: 'https://example.com/ada',
      picture: 'https://example.com/ada.png',
      website: 'https://ada.example.com',
      gender: 'female',
      birthdate: '1815-12-10',
      zoneinfo: 'Europe/London',
      locale: 'en-GB',
      updated_at: 1_767_225_600,
    });
  });

  it('when email is granted then email and email_verified come and nothing else', () => {
    expect(claimsForScopes(user(EVERYTHING), ['openid', 'email'])).toEqual({
      email: 'ada@example.com',
      email_verified: true,
    });
  });

  it('when phone is granted then a false phone_number_verified still comes', () => {
    expect(claimsForScopes(user(EVERYTHING), ['phone'])).toEqual({
      phone_number: '+44 20 7946 0000',
      phone_number_verified: false,
    });
  });

  it('when address is granted then the address comes as an object of its own', () => {
    const owner = user(EVERYTHING);
    const claims = claimsForScopes(owner, ['address']);

    expect(claims).toEqual({ address: { locality: 'London', country: 'GB' } });
    expect(claims.address).not.toBe(owner.claims.address);
  });

  it('when the user lacks claims of a granted scope then they are absent, never null', () => {
    const claims = claimsForScopes(user({ name: 'Bob', address: {} }), [
      'openid',
      'profile',
      'email',
      'address',
      'phone',
    ]);

    expect(claims).toEqual({ name: 'Bob', updated_at: 1_767_225_600 });
  });

  it('when scopes repeat or are not claim scopes then they add nothing', () => {
    expect(
      claimsForScopes(user(EVERYTHING), [
        'email',
        'email',
        'offline_access',
        'read',
        'constructor',
        '__proto__',
      ]),
    ).toEqual({ email: 'ada@example.com', email_verified: true });
  });

  it('when every scope is granted then every claim the user has comes', () => {
    expect(claimsForScopes(user(EVERYTHING), OIDC_SCOPES)).toEqual({
      ...EVERYTHING,
      updated_at: 1_767_225_600,
    });
  });
});
