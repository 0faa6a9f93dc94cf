import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import {
  expectOAuthError,
  JSON_CONTENT_TYPE,
  handleKey,
  withoutWrites,
} from '../../support/expectations.js';
import { discoverAs } from '../../support/oidc-client.js';
import {
  basicAuthorization,
  startTestApp,
  type RegisteredClient,
  type TestApp,
} from '../../support/test-app.js';

describe('token introspection (RFC 7662)', () => {
  let service: TestApp;
  /** A confidential client acting as a resource server. */
  let resourceServer: RegisteredClient;
  let resourceServerConfig: oidc.Configuration;
  /** A confidential client of the password grant with refresh tokens. */
  let app: RegisteredClient;
  let appConfig: oidc.Configuration;
  let user: { id: string; username: string };

  const passwordTokens = (config: oidc.Configuration) =>
    oidc.genericGrantRequest(config, 'password', {
      username: 'ada',
      password: 'analytical engine',
      scope: 'read',
    });
  /** Expired rows go before the background sweeper could take them in the middle of a later comparison. */
  const forgetExpired = () =>
    service.db.query('DELETE FROM persisted_grant WHERE expires_at <= $1', [1000]);
  const introspectRaw = (
    params: Record<string, string>,
    client: RegisteredClient = resourceServer,
  ) =>
    service.postForm('/introspect', params, {
      basic: [client.client_id, client.client_secret!],
    });

  beforeAll(async () => {
    service = await startTestApp();
    resourceServer = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read write',
    });
    app = await service.createClient({
      grant_types: ['password', 'refresh_token'],
      scope: 'read write',
    });
    user = await service.createUser({ username: 'ada', password: 'analytical engine' });
    resourceServerConfig = await discoverAs(service, resourceServer);
    appConfig = await discoverAs(service, app);
  });
  afterAll(() => service.close());

  it('when discovery is read then it names the endpoint and only confidential authentication methods', async () => {
    const metadata = resourceServerConfig.serverMetadata();

    expect(metadata.introspection_endpoint).toBe(`${service.issuer}/introspect`);
    expect(metadata.introspection_endpoint_auth_methods_supported).not.toContain('none');
    expect(metadata.introspection_endpoint_auth_methods_supported).toContain('client_secret_basic');
  });

  it('when an active JWT access token is introspected then its claims come back with active true', async () => {
    const tokens = await oidc.clientCredentialsGrant(resourceServerConfig, { scope: 'read' });
    const jwt = decodeJwt(tokens.access_token);

    const introspection = await oidc.tokenIntrospection(resourceServerConfig, tokens.access_token);

    expect({ ...introspection }).toEqual({
      active: true,
      iss: service.issuer,
      sub: resourceServer.client_id,
      aud: service.issuer,
      client_id: resourceServer.client_id,
      scope: 'read',
      jti: jwt.jti,
      iat: jwt.iat,
      exp: jwt.iat! + 3600,
      token_type: 'Bearer',
    });
  });

  it('when the response is looked at on the wire then it is JSON and not cacheable', async () => {
    const tokens = await oidc.clientCredentialsGrant(resourceServerConfig, { scope: 'read' });

    const result = await introspectRaw({ token: tokens.access_token });

    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.body).toMatchObject({ active: true, client_id: resourceServer.client_id });
  });

  it('when a resource server introspects an access token issued to another client then it is described', async () => {
    const tokens = await passwordTokens(appConfig);

    const introspection = await oidc.tokenIntrospection(resourceServerConfig, tokens.access_token);

    expect(introspection).toMatchObject({
      active: true,
      sub: user.id,
      client_id: app.client_id,
      scope: 'read',
      token_type: 'Bearer',
    });
  });

  it('when a reference access token is introspected then its stored claims come back, and only its hash is stored', async () => {
    const reference = await service.createClient({
      grant_types: ['password', 'refresh_token'],
      scope: 'read',
      access_token_format: 'reference',
    });
    const tokens = await passwordTokens(await discoverAs(service, reference));
    expect(tokens.access_token).toMatch(/^[A-Za-z0-9_-]{51}$/);

    const introspection = await oidc.tokenIntrospection(resourceServerConfig, tokens.access_token);

    expect({ ...introspection }).toEqual({
      active: true,
      iss: service.issuer,
      sub: user.id,
      aud: service.issuer,
      client_id: reference.client_id,
      username: 'ada',
      scope: 'read',
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: introspection.iat! + 3600,
      auth_time: introspection.iat,
      token_type: 'Bearer',
    });
    const rows = await service.db.query<{ type: string; handle_hash: string }>(
      'SELECT type, handle_hash FROM persisted_grant WHERE client_id = $1 ORDER BY type',
      [reference.client_id],
    );
    expect(rows.map((row) => row.type)).toEqual(['access_token', 'refresh_token']);
    expect(rows[0]!.handle_hash).toBe(handleKey(tokens.access_token));
    expect(JSON.stringify(rows)).not.toContain(tokens.access_token);
  });

  it('when a refresh token is introspected by its own client then it is active with its grant', async () => {
    const tokens = await passwordTokens(appConfig);

    const introspection = await oidc.tokenIntrospection(appConfig, tokens.refresh_token!);

    expect({ ...introspection }).toEqual({
      active: true,
      token_type: 'refresh_token',
      client_id: app.client_id,
      sub: user.id,
      username: 'ada',
      scope: 'read',
      iat: expect.any(Number),
      exp: introspection.iat! + 30 * 24 * 3600,
    });
  });

  it('when a refresh token is introspected by another client then it is inactive', async () => {
    const tokens = await passwordTokens(appConfig);

    const introspection = await oidc.tokenIntrospection(
      resourceServerConfig,
      tokens.refresh_token!,
    );

    expect({ ...introspection }).toEqual({ active: false });
  });

  it.each(['access_token', 'refresh_token', 'id_token'])(
    'when the token_type_hint is %s then both kinds of token are still found',
    async (hint) => {
      const tokens = await passwordTokens(appConfig);

      const access = await oidc.tokenIntrospection(appConfig, tokens.access_token, {
        token_type_hint: hint,
      });
      const refresh = await oidc.tokenIntrospection(appConfig, tokens.refresh_token!, {
        token_type_hint: hint,
      });

      expect(access).toMatchObject({ active: true, token_type: 'Bearer' });
      expect(refresh).toMatchObject({ active: true, token_type: 'refresh_token' });
    },
  );

  it('when a refresh token has been rotated then the old one is inactive and the new one active', async () => {
    const first = await passwordTokens(appConfig);
    const second = await oidc.refreshTokenGrant(appConfig, first.refresh_token!);

    expect({ ...(await oidc.tokenIntrospection(appConfig, first.refresh_token!)) }).toEqual({
      active: false,
    });
    expect(await oidc.tokenIntrospection(appConfig, second.refresh_token!)).toMatchObject({
      active: true,
    });
  });

  it.each([
    ['a random string', 'not-a-token-of-this-service'],
    ['three dot-separated parts', 'aaa.bbb.ccc'],
    ['a JWT-shaped token with a broken signature', ''],
  ])('when the token is %s then only active false comes back', async (_case, given) => {
    let token = given;
    if (token === '') {
      const tokens = await oidc.clientCredentialsGrant(resourceServerConfig, { scope: 'read' });
      const [header, payload, signature] = tokens.access_token.split('.');
      token = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
    }

    const introspection = await oidc.tokenIntrospection(resourceServerConfig, token);

    expect({ ...introspection }).toEqual({ active: false });
  });

  it('when a reference access token has expired then it is inactive', async () => {
    const reference = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      access_token_format: 'reference',
    });
    const tokens = await oidc.clientCredentialsGrant(await discoverAs(service, reference));
    expect(await oidc.tokenIntrospection(resourceServerConfig, tokens.access_token)).toMatchObject({
      active: true,
    });

    await service.db.query('UPDATE persisted_grant SET expires_at = $1 WHERE handle_hash = $2', [
      1000,
      handleKey(tokens.access_token),
    ]);
    const introspection = await oidc.tokenIntrospection(resourceServerConfig, tokens.access_token);

    expect({ ...introspection }).toEqual({ active: false });
    await forgetExpired();
  });

  it('when a refresh token has expired then it is inactive', async () => {
    const tokens = await passwordTokens(appConfig);
    await service.db.query('UPDATE persisted_grant SET expires_at = $1 WHERE handle_hash = $2', [
      1000,
      handleKey(tokens.refresh_token!),
    ]);

    const introspection = await oidc.tokenIntrospection(appConfig, tokens.refresh_token!);

    expect({ ...introspection }).toEqual({ active: false });
    await forgetExpired();
  });

  it('when the client of a token is deleted then its JWT and reference tokens are inactive', async () => {
    const jwtClient = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
    });
    const referenceClient = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      access_token_format: 'reference',
    });
    const jwt = (await oidc.clientCredentialsGrant(await discoverAs(service, jwtClient)))
      .access_token;
    const reference = (
      await oidc.clientCredentialsGrant(await discoverAs(service, referenceClient))
    ).access_token;
    for (const token of [jwt, reference]) {
      expect(await oidc.tokenIntrospection(resourceServerConfig, token)).toMatchObject({
        active: true,
      });
    }

    for (const client of [jwtClient, referenceClient]) {
      expect((await service.admin('DELETE', `/admin/clients/${client.client_id}`)).status).toBe(
        204,
      );
    }

    for (const token of [jwt, reference]) {
      expect({ ...(await oidc.tokenIntrospection(resourceServerConfig, token)) }).toEqual({
        active: false,
      });
    }
  });

  describe('refused requests', () => {
    it('when a public client calls introspection then 400 invalid_client and nothing is written', async () => {
      const spa = await service.createClient({
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        redirect_uris: ['https://spa.example.com/callback'],
      });
      const spaConfig = await discoverAs(service, spa, oidc.None());
      const description = 'introspection requires an authenticated confidential client';

      const error: unknown = await withoutWrites(service.db, () =>
        oidc.tokenIntrospection(spaConfig, 'some-token').catch((error: unknown) => error),
      );

      expect(error).toMatchObject({
        name: 'ResponseBodyError',
        status: 400,
        error: 'invalid_client',
        error_description: description,
      });
      expectOAuthError(
        await service.postForm('/introspect', { token: 'x', client_id: spa.client_id }),
        400,
        'invalid_client',
        description,
      );
    });

    it('when the token parameter is missing then 400 invalid_request', async () => {
      expectOAuthError(await introspectRaw({}), 400, 'invalid_request', 'token is required');
    });

    it('when the token parameter is repeated then 400 invalid_request', async () => {
      const result = await service.request('POST', '/introspect', {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basicAuthorization(
            resourceServer.client_id,
            resourceServer.client_secret!,
          ),
        },
        body: 'token=one&token=two',
      });

      expectOAuthError(result, 400, 'invalid_request', 'parameter token is repeated');
    });

    it.each([
      ['application/json', JSON.stringify({ token: 'x' })],
      ['text/plain', 'token=x'],
      ['application/xml', '<token>x</token>'],
    ])(
      'when the body is %s instead of a form then 400 invalid_request',
      async (contentType, body) => {
        const result = await service.request('POST', '/introspect', {
          headers: {
            'content-type': contentType,
            authorization: basicAuthorization(
              resourceServer.client_id,
              resourceServer.client_secret!,
            ),
          },
          body,
        });

        expectOAuthError(
          result,
          400,
          'invalid_request',
          'content type must be application/x-www-form-urlencoded',
        );
      },
    );

    it('when the client does not authenticate then 400 invalid_client', async () => {
      const result = await service.postForm('/introspect', { token: 'x' });

      expectOAuthError(result, 400, 'invalid_client', 'client authentication is required');
    });

    it('when the client secret is wrong then 401 invalid_client with a Basic challenge', async () => {
      const result = await service.postForm(
        '/introspect',
        { token: 'x' },
        { basic: [resourceServer.client_id, 'wrong-secret'] },
      );

      expectOAuthError(result, 401, 'invalid_client', 'client authentication failed');
      expect(result.headers.get('www-authenticate')).toBe(`Basic realm="${service.issuer}"`);
    });
  });
});
