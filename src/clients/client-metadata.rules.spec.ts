import type { ProblemFieldError } from '../common/problem/problem.error.js';
import { CLIENT_DEFAULTS, type ClientMetadata } from './client-metadata.js';
import { checkClientMetadata, type RegistrationCapabilities } from './client-metadata.rules.js';

const CAPABILITIES: RegistrationCapabilities = {
  grantTypes: new Set([
    'authorization_code',
    'implicit',
    'password',
    'client_credentials',
    'refresh_token',
    'urn:ietf:params:oauth:grant-type:device_code',
  ]),
  authMethods: new Set(['client_secret_basic', 'client_secret_post', 'none']),
};

/** Complete metadata as the validator hands it over: defaults filled in. */
function metadata(overrides: Partial<ClientMetadata> = {}): ClientMetadata {
  return {
    ...CLIENT_DEFAULTS,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: ['https://app.example.com/callback'],
    post_logout_redirect_uris: [],
    allowed_cors_origins: [],
    ...overrides,
  };
}

function check(overrides: Partial<ClientMetadata>): ProblemFieldError[] {
  return checkClientMetadata(metadata(overrides), CAPABILITIES);
}

function pointers(errors: ProblemFieldError[]): string[] {
  return errors.map((error) => error.pointer);
}

describe('checkClientMetadata', () => {
  describe('sound clients', () => {
    it('when a confidential web client uses the code flow then there is no problem', () => {
      expect(check({})).toEqual([]);
    });

    it('when a confidential client uses only client_credentials then there is no problem', () => {
      expect(
        check({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }),
      ).toEqual([]);
    });

    it('when a public native client uses code with PKCE and a loopback redirect then there is no problem', () => {
      expect(
        check({
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          redirect_uris: ['http://127.0.0.1:8400/callback', 'com.example.app:/callback'],
        }),
      ).toEqual([]);
    });

    it.each([['code id_token'], ['code token'], ['code id_token token']])(
      'when a hybrid client registers %s with authorization_code and implicit then there is no problem',
      (responseType) => {
        expect(
          check({
            grant_types: ['authorization_code', 'implicit'],
            response_types: [responseType],
          }),
        ).toEqual([]);
      },
    );

    it('when an implicit client registers id_token and id_token token over https then there is no problem', () => {
      expect(
        check({ grant_types: ['implicit'], response_types: ['id_token', 'id_token token'] }),
      ).toEqual([]);
    });

    it('when a password client also has refresh_token then there is no problem', () => {
      expect(
        check({
          grant_types: ['password', 'refresh_token'],
          response_types: [],
          redirect_uris: [],
        }),
      ).toEqual([]);
    });
  });

  describe('front-channel families', () => {
    it('when response types mix the code and implicit families then response_types is refused with the reason', () => {
      const errors = check({
        grant_types: ['authorization_code', 'implicit'],
        response_types: ['code', 'id_token'],
      });
      expect(errors).toContainEqual({
        pointer: '/response_types',
        detail: expect.stringContaining('mixes the code and implicit families'),
      });
    });

    it('when response types mix the code and hybrid families then response_types is refused', () => {
      const errors = check({
        grant_types: ['authorization_code', 'implicit'],
        response_types: ['code', 'code id_token'],
      });
      expect(errors).toContainEqual({
        pointer: '/response_types',
        detail: expect.stringContaining('mixes the code and hybrid families'),
      });
    });

    it('when a code client also registers implicit then grant_types is refused', () => {
      expect(check({ grant_types: ['authorization_code', 'implicit'] })).toEqual([
        {
          pointer: '/grant_types',
          detail: 'implicit is not used by the code response type; remove it',
        },
      ]);
    });

    it('when an implicit client also registers authorization_code then grant_types is refused', () => {
      expect(
        check({ grant_types: ['authorization_code', 'implicit'], response_types: ['token'] }),
      ).toEqual([
        {
          pointer: '/grant_types',
          detail: 'authorization_code is not used by implicit response types; remove it',
        },
      ]);
    });

    it('when the code response type lacks authorization_code then grant_types is refused', () => {
      expect(pointers(check({ grant_types: ['password'], response_types: ['code'] }))).toContain(
        '/grant_types',
      );
    });

    it('when a hybrid response type lacks implicit then grant_types is refused', () => {
      expect(check({ response_types: ['code id_token'] })).toEqual([
        { pointer: '/grant_types', detail: 'response types of the hybrid family need implicit' },
      ]);
    });

    it('when an unknown response type is registered then response_types names it', () => {
      expect(check({ response_types: ['code', 'magic'] })).toContainEqual({
        pointer: '/response_types',
        detail: '"magic" is not a response type',
      });
    });

    it('when authorization_code has no response types then response_types is refused', () => {
      expect(check({ response_types: [] })).toEqual([
        {
          pointer: '/response_types',
          detail: 'a client with authorization_code or implicit needs response types',
        },
      ]);
    });

    it('when response types are given without a front-channel grant then response_types is refused', () => {
      expect(
        check({ grant_types: ['client_credentials'], response_types: ['code'], redirect_uris: [] }),
      ).toContainEqual({
        pointer: '/response_types',
        detail: 'response types need the authorization_code or implicit grant',
      });
    });

    it('when a code client has no redirect URI then redirect_uris is refused', () => {
      expect(check({ redirect_uris: [] })).toEqual([
        {
          pointer: '/redirect_uris',
          detail: 'at least one is required for authorization_code and implicit',
        },
      ]);
    });
  });

  describe('redirect URIs by client kind', () => {
    it('when a web implicit client uses an http loopback redirect then it is refused', () => {
      const errors = check({
        grant_types: ['implicit'],
        response_types: ['id_token'],
        redirect_uris: ['http://localhost:3000/cb'],
      });
      expect(pointers(errors)).toEqual(['/redirect_uris']);
    });

    it('when a web implicit client uses an https loopback redirect then it is refused', () => {
      const errors = check({
        grant_types: ['implicit'],
        response_types: ['id_token'],
        redirect_uris: ['https://localhost/cb'],
      });
      expect(pointers(errors)).toEqual(['/redirect_uris']);
    });

    it('when a web hybrid client uses an http loopback redirect then it is refused', () => {
      const errors = check({
        grant_types: ['authorization_code', 'implicit'],
        response_types: ['code id_token'],
        redirect_uris: ['http://127.0.0.1/cb'],
      });
      expect(pointers(errors)).toEqual(['/redirect_uris']);
    });

    it('when a native implicit client uses an http loopback redirect then it is allowed', () => {
      expect(
        check({
          application_type: 'native',
          grant_types: ['implicit'],
          response_types: ['id_token'],
          redirect_uris: ['http://127.0.0.1:9000/cb'],
        }),
      ).toEqual([]);
    });

    it('when a post-logout redirect URI is invalid then post_logout_redirect_uris is refused', () => {
      expect(check({ post_logout_redirect_uris: ['http://app.example.com/bye'] })).toEqual([
        {
          pointer: '/post_logout_redirect_uris',
          detail: expect.stringContaining('http is only allowed for loopback hosts'),
        },
      ]);
    });
  });

  describe('public clients', () => {
    it('when a public client asks for client_credentials then grant_types is refused', () => {
      expect(
        check({
          token_endpoint_auth_method: 'none',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        }),
      ).toEqual([
        {
          pointer: '/grant_types',
          detail:
            'client_credentials needs a confidential client; a public client has no credentials',
        },
      ]);
    });

    it('when a public client asks for password then grant_types is refused', () => {
      expect(
        check({
          token_endpoint_auth_method: 'none',
          grant_types: ['password'],
          response_types: [],
          redirect_uris: [],
        }),
      ).toEqual([
        { pointer: '/grant_types', detail: 'password is not allowed for a public client' },
      ]);
    });

    it('when a public client turns PKCE off then require_pkce is refused', () => {
      expect(check({ token_endpoint_auth_method: 'none', require_pkce: false })).toEqual([
        { pointer: '/require_pkce', detail: 'is always true for public clients' },
      ]);
    });

    it('when a confidential client turns PKCE off then that is allowed', () => {
      expect(check({ require_pkce: false })).toEqual([]);
    });
  });

  describe('refresh tokens', () => {
    it.each([
      [['refresh_token']],
      [['client_credentials', 'refresh_token']],
      [['implicit', 'refresh_token']],
    ])('when the grants are %j then refresh_token is refused', (grantTypes) => {
      const implicit = grantTypes.includes('implicit');
      const errors = check({
        grant_types: grantTypes,
        response_types: implicit ? ['id_token'] : [],
        redirect_uris: implicit ? ['https://app.example.com/cb'] : [],
      });
      expect(errors).toContainEqual({
        pointer: '/grant_types',
        detail: expect.stringContaining('refresh_token needs a grant that issues refresh tokens'),
      });
    });

    it('when refresh_token comes with the device code grant then it is allowed', () => {
      expect(
        check({
          grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
          response_types: [],
          redirect_uris: [],
        }),
      ).toEqual([]);
    });
  });

  describe('capabilities and other fields', () => {
    it('when a grant type is not supported then grant_types names it', () => {
      expect(
        check({
          grant_types: ['urn:example:unknown'],
          response_types: [],
          redirect_uris: [],
        }),
      ).toEqual([{ pointer: '/grant_types', detail: '"urn:example:unknown" is not supported' }]);
    });

    it('when the auth method is not supported then token_endpoint_auth_method lists the supported ones', () => {
      expect(check({ token_endpoint_auth_method: 'private_key_jwt' })).toEqual([
        {
          pointer: '/token_endpoint_auth_method',
          detail:
            '"private_key_jwt" is not supported; use one of client_secret_basic, client_secret_post, none',
        },
      ]);
    });

    describe('JWT client authentication', () => {
      const JWT_CAPABILITIES: RegistrationCapabilities = {
        ...CAPABILITIES,
        authMethods: new Set([...CAPABILITIES.authMethods, 'private_key_jwt', 'client_secret_jwt']),
        authSigningAlgorithms: new Map([
          ['private_key_jwt', new Set(['RS256', 'ES256'])],
          ['client_secret_jwt', new Set(['HS256'])],
        ]),
      };
      const PUBLIC_JWK = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
      const checkJwt = (overrides: Partial<ClientMetadata>) =>
        checkClientMetadata(
          metadata({
            grant_types: ['client_credentials'],
            response_types: [],
            redirect_uris: [],
            ...overrides,
          }),
          JWT_CAPABILITIES,
        );

      it('when private_key_jwt comes with jwks or jwks_uri then there is no problem', () => {
        expect(
          checkJwt({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [PUBLIC_JWK] } }),
        ).toEqual([]);
        expect(
          checkJwt({
            token_endpoint_auth_method: 'private_key_jwt',
            jwks_uri: 'https://app.example.com/jwks.json',
          }),
        ).toEqual([]);
      });

      it('when private_key_jwt comes without keys then jwks is named', () => {
        expect(checkJwt({ token_endpoint_auth_method: 'private_key_jwt' })).toEqual([
          {
            pointer: '/jwks',
            detail: "private_key_jwt needs the client's public keys: give jwks or jwks_uri",
          },
        ]);
      });

      it('when jwks holds a private key then jwks is refused', () => {
        expect(
          checkJwt({
            token_endpoint_auth_method: 'private_key_jwt',
            jwks: { keys: [{ ...PUBLIC_JWK, d: 'private' }] },
          }),
        ).toEqual([
          {
            pointer: '/jwks',
            detail: 'keys[0] holds private key material (d); register public keys only',
          },
        ]);
      });

      it('when token_endpoint_auth_signing_alg is one its method accepts then there is no problem', () => {
        expect(
          checkJwt({
            token_endpoint_auth_method: 'client_secret_jwt',
            token_endpoint_auth_signing_alg: 'HS256',
          }),
        ).toEqual([]);
      });

      it('when token_endpoint_auth_signing_alg is not one its method accepts then the accepted ones are listed', () => {
        expect(
          checkJwt({
            token_endpoint_auth_method: 'private_key_jwt',
            jwks: { keys: [PUBLIC_JWK] },
            token_endpoint_auth_signing_alg: 'HS256',
          }),
        ).toEqual([
          {
            pointer: '/token_endpoint_auth_signing_alg',
            detail: '"HS256" is not supported for private_key_jwt; use one of RS256, ES256',
          },
        ]);
      });

      it('when token_endpoint_auth_signing_alg comes with a method that signs nothing then it is refused', () => {
        expect(checkJwt({ token_endpoint_auth_signing_alg: 'RS256' })).toEqual([
          {
            pointer: '/token_endpoint_auth_signing_alg',
            detail: 'is not used by client_secret_basic, which signs nothing',
          },
        ]);
      });
    });

    it('when jwks and jwks_uri are both given then jwks is refused', () => {
      expect(check({ jwks: { keys: [] }, jwks_uri: 'https://app.example.com/jwks.json' })).toEqual([
        { pointer: '/jwks', detail: 'jwks and jwks_uri are mutually exclusive' },
      ]);
    });

    it('when jwks has no keys array then jwks is refused', () => {
      expect(check({ jwks: {} as { keys: Record<string, unknown>[] } })).toEqual([
        { pointer: '/jwks', detail: 'must be a JWK Set: an object with a "keys" array' },
      ]);
    });

    it.each(['jwks_uri', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri'] as const)(
      'when %s is plain http off loopback then it is refused',
      (field) => {
        expect(check({ [field]: 'http://app.example.com/x' })).toEqual([
          { pointer: `/${field}`, detail: '"http://app.example.com/x" must be an https URL' },
        ]);
      },
    );

    it('when a CORS origin has a path then allowed_cors_origins is refused', () => {
      expect(
        check({ allowed_cors_origins: ['https://app.example.com', 'https://app.example.com/'] }),
      ).toEqual([
        {
          pointer: '/allowed_cors_origins',
          detail: expect.stringContaining('"https://app.example.com/" is not an origin'),
        },
      ]);
    });

    it('when several fields are wrong then every problem is reported', () => {
      const errors = check({
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'client_credentials'],
        redirect_uris: ['ftp://app.example.com/cb'],
        require_pkce: false,
      });
      expect(pointers(errors).sort()).toEqual(['/grant_types', '/redirect_uris', '/require_pkce']);
    });
  });

  describe('token exchange policy', () => {
    const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
    const withTokenExchange: RegistrationCapabilities = {
      ...CAPABILITIES,
      grantTypes: new Set([...CAPABILITIES.grantTypes, TOKEN_EXCHANGE]),
    };
    const tokenExchange = {
      allowed_subject_token_types: ['urn:ietf:params:oauth:token-type:access_token'],
      allowed_audiences: [],
      allow_impersonation: true,
      allow_delegation: false,
    };
    const exchanging = (grantTypes: string[]) =>
      metadata({
        grant_types: grantTypes,
        response_types: [],
        redirect_uris: [],
        token_exchange: tokenExchange,
      });

    it('when a client with the token exchange grant has a policy then there is no problem', () => {
      expect(checkClientMetadata(exchanging([TOKEN_EXCHANGE]), withTokenExchange)).toEqual([]);
    });

    it('when a client has a policy but not the token exchange grant then token_exchange is refused', () => {
      expect(checkClientMetadata(exchanging(['client_credentials']), withTokenExchange)).toEqual([
        { pointer: '/token_exchange', detail: `is only used with the ${TOKEN_EXCHANGE} grant` },
      ]);
    });
  });
});
