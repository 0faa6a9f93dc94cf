import type { JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { expectOAuthError, expectProblem, withoutWrites } from '../../support/expectations.js';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  assertionClaims,
  partyKey,
  type PartyKey,
  signAssertion,
  startJwksServer,
  type JwksServer,
  unsecuredJwt,
} from './assertions.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('private_key_jwt client authentication (RFC 7523 §2.2, OpenID Connect Core §9)', () => {
  let service: TestApp;
  let key: PartyKey;
  let rsaKey: PartyKey;
  let client: RegisteredClient & Record<string, unknown>;
  let strictClient: RegisteredClient;
  let remoteKey: PartyKey;
  let remoteClient: RegisteredClient;
  let jwksServer: JwksServer;

  beforeAll(async () => {
    service = await startTestApp();
    [key, rsaKey, remoteKey] = await Promise.all([
      partyKey('client-key-1'),
      partyKey('client-key-rsa', 'RS256'),
      partyKey('remote-client-key', 'Ed25519'),
    ]);
    jwksServer = await startJwksServer([remoteKey.publicJwk]);
    client = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [key.publicJwk, rsaKey.publicJwk] },
    });
    strictClient = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [key.publicJwk, rsaKey.publicJwk] },
    });
    remoteClient = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: jwksServer.uri,
    });
  });
  afterAll(async () => {
    await jwksServer.close();
    await service.close();
  });

  const claims = (overrides: JWTPayload = {}, of: RegisteredClient = client) =>
    assertionClaims(of.client_id, of.client_id, service.issuer, overrides);
  const tokenWith = (assertion: string, extra: Record<string, string> = {}, path = '/token') =>
    service.postForm(path, {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
      ...extra,
    });
  const refusedWith = (assertion: string, extra: Record<string, string> = {}) =>
    withoutWrites(service.db, () => tokenWith(assertion, extra));

  it('when a client is registered for private_key_jwt then no secret is generated', () => {
    expect(client.client_secret).toBeUndefined();
    expect(client.token_endpoint_auth_method).toBe('private_key_jwt');
  });

  it('when openid-client authenticates with PrivateKeyJwt then it gets a token and may introspect it', async () => {
    const config = await discoverAs(
      service,
      client,
      oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
    );

    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' });
    const introspection = await oidc.tokenIntrospection(config, tokens.access_token);

    expect(tokens.scope).toBe('read');
    expect(introspection).toMatchObject({ active: true, client_id: client.client_id });
  });

  it('when the client publishes its keys at a jwks_uri then they are fetched and it authenticates', async () => {
    const config = await discoverAs(
      service,
      remoteClient,
      oidc.PrivateKeyJwt({ key: remoteKey.privateKey, kid: remoteKey.kid }),
    );

    const tokens = await oidc.clientCredentialsGrant(config);

    expect(tokens.access_token).toEqual(expect.any(String));
    expect(jwksServer.fetches).toBeGreaterThanOrEqual(1);
  });

  it('when the assertion names the token endpoint as aud then it is accepted', async () => {
    const assertion = await signAssertion(key, claims({ aud: `${service.issuer}/token` }));

    expect((await tokenWith(assertion)).status).toBe(200);
  });

  it('when the assertion names the introspection endpoint as aud then introspection accepts it and the token endpoint does not', async () => {
    const aud = `${service.issuer}/introspect`;
    const atIntrospection = await tokenWith(
      await signAssertion(key, claims({ aud })),
      { token: 'unknown-token' },
      '/introspect',
    );
    const atToken = await refusedWith(await signAssertion(key, claims({ aud })));

    expect(atIntrospection.status).toBe(200);
    expect(atIntrospection.body).toEqual({ active: false });
    expectOAuthError(
      atToken,
      400,
      'invalid_client',
      'the client assertion is not meant for this server: aud must be its issuer or token endpoint',
    );
  });

  it('when a client assertion is used a second time then invalid_client', async () => {
    const assertion = await signAssertion(key, claims());
    expect((await tokenWith(assertion)).status).toBe(200);

    const second = await refusedWith(assertion);

    expectOAuthError(
      second,
      400,
      'invalid_client',
      'the client assertion was already used: its jti has been seen before',
    );
  });

  it('when client_assertion_type is not the JWT bearer type then invalid_client', async () => {
    const result = await refusedWith(await signAssertion(key, claims()), {
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
    });

    expectOAuthError(
      result,
      400,
      'invalid_client',
      `client_assertion_type must be ${ASSERTION_TYPE}`,
    );
  });

  it('when iss and sub differ then invalid_client', async () => {
    const result = await refusedWith(await signAssertion(key, claims({ sub: 'someone-else' })));

    expectOAuthError(
      result,
      400,
      'invalid_client',
      'the client assertion must have iss and sub both equal to the client_id',
    );
  });

  it('when client_id names another client than the assertion then invalid_client', async () => {
    const result = await refusedWith(await signAssertion(key, claims()), {
      client_id: strictClient.client_id,
    });

    expectOAuthError(
      result,
      400,
      'invalid_client',
      'client_id does not match the client assertion',
    );
  });

  it('when the assertion is signed by a key the client did not register then invalid_client', async () => {
    const stranger = await partyKey('client-key-1');

    const result = await refusedWith(await signAssertion(stranger, claims()));

    expectOAuthError(
      result,
      400,
      'invalid_client',
      'the client assertion has an invalid signature',
    );
  });

  it('when the assertion names a kid the client did not register then invalid_client', async () => {
    const stranger = await partyKey('unregistered');

    const result = await refusedWith(await signAssertion(stranger, claims()));

    expectOAuthError(
      result,
      400,
      'invalid_client',
      'the client assertion is signed with a key that is not registered for its issuer',
    );
  });

  it('when the assertion is unsigned (alg none) then invalid_client', async () => {
    const result = await refusedWith(unsecuredJwt(claims()));

    expectOAuthError(
      result,
      400,
      'invalid_client',
      'the client assertion is signed with an algorithm that is not allowed',
    );
  });

  it('when the client registered token_endpoint_auth_signing_alg then another algorithm is refused', async () => {
    const rs256 = await refusedWith(await signAssertion(rsaKey, claims({}, strictClient)));
    const es256 = await tokenWith(await signAssertion(key, claims({}, strictClient)));

    expectOAuthError(
      rs256,
      400,
      'invalid_client',
      'the client assertion is signed with an algorithm that is not allowed',
    );
    expect(es256.status).toBe(200);
  });

  it('when the client assertion has expired then invalid_client', async () => {
    const now = Math.floor(Date.now() / 1000);

    const result = await refusedWith(
      await signAssertion(key, claims({ iat: now - 600, exp: now - 300 })),
    );

    expectOAuthError(result, 400, 'invalid_client', 'the client assertion has expired');
  });

  it('when a client_secret_basic client sends a client assertion then invalid_client', async () => {
    const basicClient = await service.createClient({ grant_types: ['client_credentials'] });
    const assertion = await signAssertion(key, claims({}, basicClient));

    const result = await refusedWith(assertion);

    // Checked against decoy keys: the same refusal as an unknown client's or a foreign key's.
    expectOAuthError(
      result,
      400,
      'invalid_client',
      'the client assertion is signed with a key that is not registered for its issuer',
    );
  });

  it('when a client assertion comes with HTTP Basic as well then invalid_request', async () => {
    const result = await withoutWrites(service.db, () =>
      service.postForm(
        '/token',
        {
          grant_type: 'client_credentials',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: 'x.y.z',
        },
        { basic: ['a', 'b'] },
      ),
    );

    expectOAuthError(
      result,
      400,
      'invalid_request',
      'the request uses more than one client authentication method (client_secret_basic, private_key_jwt)',
    );
  });

  it('when private_key_jwt is registered without jwks or jwks_uri then 400 names jwks', async () => {
    const result = await withoutWrites(service.db, () =>
      service.admin('POST', '/admin/clients', {
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
      }),
    );

    expectProblem(result, 400, {
      detail: 'invalid client metadata',
      errors: [
        {
          pointer: '/jwks',
          detail: "private_key_jwt needs the client's public keys: give jwks or jwks_uri",
        },
      ],
    });
  });

  it('when discovery is read then both JWT methods and their algorithms are listed for each endpoint', async () => {
    const metadata = (await service.request('GET', '/.well-known/openid-configuration')).body;

    for (const endpoint of ['token', 'introspection', 'revocation']) {
      expect(metadata[`${endpoint}_endpoint_auth_methods_supported`]).toEqual(
        expect.arrayContaining(['private_key_jwt', 'client_secret_jwt']),
      );
      expect(metadata[`${endpoint}_endpoint_auth_signing_alg_values_supported`]).toEqual([
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
        'Ed25519',
        'HS256',
        'HS384',
        'HS512',
      ]);
    }
  });
});
