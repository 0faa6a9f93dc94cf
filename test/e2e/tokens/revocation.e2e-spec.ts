import * as oidc from 'openid-client';
import {
  expectOAuthError,
  expectRevokedJwt,
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

const NOT_YOURS = 'the token was not issued to this client';

describe('token revocation (RFC 7009)', () => {
  let service: TestApp;
  /** Password grant with refresh tokens and JWT access tokens. */
  let app: RegisteredClient;
  let appConfig: oidc.Configuration;
  /** The same with reference access tokens, which share the refresh token's family. */
  let referenceApp: RegisteredClient;
  let referenceConfig: oidc.Configuration;
  /** Another confidential client, to try revoking what is not its own. */
  let other: RegisteredClient;
  let otherConfig: oidc.Configuration;

  const passwordTokens = (config: oidc.Configuration) =>
    oidc.genericGrantRequest(config, 'password', {
      username: 'grace',
      password: 'compiler-0001',
      scope: 'read',
    });
  const introspect = async (token: string, config = appConfig) => ({
    ...(await oidc.tokenIntrospection(config, token)),
  });
  const refreshRaw = (refreshToken: string, client: RegisteredClient = app) =>
    service.postForm(
      '/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { basic: [client.client_id, client.client_secret!] },
    );
  const familyRows = async (refreshToken: string) => {
    const [row] = await service.db.query<{ family_id: string }>(
      'SELECT family_id FROM persisted_grant WHERE handle_hash = $1',
      [handleKey(refreshToken)],
    );
    return row!.family_id;
  };
  const rowsOfFamily = (familyId: string) =>
    service.db.query('SELECT id FROM persisted_grant WHERE family_id = $1', [familyId]);

  beforeAll(async () => {
    service = await startTestApp();
    app = await service.createClient({ grant_types: ['password', 'refresh_token'], scope: 'read' });
    referenceApp = await service.createClient({
      grant_types: ['password', 'refresh_token'],
      scope: 'read',
      access_token_format: 'reference',
    });
    other = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'client_secret_post',
    });
    await service.createUser({ username: 'grace', password: 'compiler-0001' });
    appConfig = await discoverAs(service, app);
    referenceConfig = await discoverAs(service, referenceApp);
    otherConfig = await discoverAs(service, other, oidc.ClientSecretPost(other.client_secret!));
  });
  afterAll(() => service.close());

  it('when a refresh token is revoked then 200 with an empty, uncached body', async () => {
    const tokens = await passwordTokens(appConfig);

    const result = await service.postForm(
      '/revoke',
      { token: tokens.refresh_token! },
      { basic: [app.client_id, app.client_secret!] },
    );

    expect(result.status).toBe(200);
    expect(result.body).toBe('');
    expect(result.headers.get('cache-control')).toBe('no-store');
  });

  it('when a refresh token is revoked then it fails at /token, introspects inactive, and its whole family is gone', async () => {
    const first = await passwordTokens(referenceConfig);
    const second = await oidc.refreshTokenGrant(referenceConfig, first.refresh_token!);
    const family = await familyRows(second.refresh_token!);
    // Two refresh tokens (one consumed by rotation) and two reference access tokens.
    expect(await rowsOfFamily(family)).toHaveLength(4);

    await expect(
      oidc.tokenRevocation(referenceConfig, second.refresh_token!),
    ).resolves.toBeUndefined();

    expect(await rowsOfFamily(family)).toEqual([]);
    expectOAuthError(
      await refreshRaw(second.refresh_token!, referenceApp),
      400,
      'invalid_grant',
      'the refresh token is invalid, expired or revoked',
    );
    expect(await introspect(second.refresh_token!, referenceConfig)).toEqual({ active: false });
    expect(await introspect(second.access_token, referenceConfig)).toEqual({ active: false });
    expect(await introspect(first.access_token, referenceConfig)).toEqual({ active: false });
  });

  it("when a refresh token is revoked then every JWT access token of its family is revoked too: the password grant's and each rotation's", async () => {
    const first = await passwordTokens(appConfig);
    const second = await oidc.refreshTokenGrant(appConfig, first.refresh_token!);
    const third = await oidc.refreshTokenGrant(appConfig, second.refresh_token!);
    for (const tokens of [first, second, third]) {
      expect(await introspect(tokens.access_token)).toMatchObject({ active: true });
    }

    await oidc.tokenRevocation(appConfig, third.refresh_token!);

    // Each rotation recorded the JWT it issued on the token it consumed.
    expect(await introspect(second.access_token)).toEqual({ active: false });
    expect(await introspect(third.access_token)).toEqual({ active: false });
    // The password grant's JWT is recorded on the family's first refresh token.
    expect(await introspect(first.access_token)).toEqual({ active: false });
  });

  it('when a reference access token is revoked then it introspects inactive and its row is gone', async () => {
    const tokens = await passwordTokens(referenceConfig);
    expect(await introspect(tokens.access_token, referenceConfig)).toMatchObject({ active: true });

    await oidc.tokenRevocation(referenceConfig, tokens.access_token);

    expect(await introspect(tokens.access_token, referenceConfig)).toEqual({ active: false });
    expect(
      await service.db.query('SELECT id FROM persisted_grant WHERE handle_hash = $1', [
        handleKey(tokens.access_token),
      ]),
    ).toEqual([]);
  });

  it('when a JWT access token is revoked then it introspects inactive and its jti is recorded once', async () => {
    const tokens = await passwordTokens(appConfig);
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true });

    await oidc.tokenRevocation(appConfig, tokens.access_token);
    await oidc.tokenRevocation(appConfig, tokens.access_token);

    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    await expectRevokedJwt(service.db, tokens.access_token, app.client_id);
  });

  it('when an admin JWT is revoked then the admin API refuses it', async () => {
    const admin = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'admin',
    });
    const adminConfig = await discoverAs(service, admin);
    const { access_token: token } = await oidc.clientCredentialsGrant(adminConfig, {
      scope: 'admin',
    });
    const callAdmin = () =>
      service.request('GET', '/admin/clients', { headers: { authorization: `Bearer ${token}` } });
    expect((await callAdmin()).status).toBe(200);

    await oidc.tokenRevocation(adminConfig, token);

    const refused = await callAdmin();
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer realm="admin", error="invalid_token"',
    );
  });

  describe('tokens of another client', () => {
    it.each(['refresh_token', 'access_token'] as const)(
      'when another client revokes a %s then 400 unauthorized_client and nothing changes',
      async (kind) => {
        const tokens = await passwordTokens(referenceConfig);
        const token = kind === 'refresh_token' ? tokens.refresh_token! : tokens.access_token;

        const result = await withoutWrites(service.db, () =>
          service.postForm('/revoke', {
            token,
            client_id: other.client_id,
            client_secret: other.client_secret!,
          }),
        );

        expectOAuthError(result, 400, 'unauthorized_client', NOT_YOURS);
        expect(await introspect(token, referenceConfig)).toMatchObject({ active: true });
      },
    );

    it('when another client revokes a JWT access token then openid-client sees unauthorized_client and the token stays active', async () => {
      const tokens = await passwordTokens(appConfig);

      const error: unknown = await withoutWrites(service.db, () =>
        oidc.tokenRevocation(otherConfig, tokens.access_token).catch((error: unknown) => error),
      );

      expect(error).toMatchObject({
        name: 'ResponseBodyError',
        status: 400,
        error: 'unauthorized_client',
        error_description: NOT_YOURS,
      });
      expect(await introspect(tokens.access_token)).toMatchObject({ active: true });
      expect((await refreshRaw(tokens.refresh_token!)).status).toBe(200);
    });
  });

  it('when the token is unknown then 200 and nothing is written', async () => {
    const result = await withoutWrites(service.db, () =>
      service.postForm(
        '/revoke',
        { token: 'never-issued-by-this-service' },
        { basic: [app.client_id, app.client_secret!] },
      ),
    );

    expect(result.status).toBe(200);
    expect(result.body).toBe('');
  });

  describe('token_type_hint', () => {
    it('when a refresh token is revoked with the hint access_token then it is still revoked', async () => {
      const tokens = await passwordTokens(appConfig);

      await oidc.tokenRevocation(appConfig, tokens.refresh_token!, {
        token_type_hint: 'access_token',
      });

      expect(await introspect(tokens.refresh_token!)).toEqual({ active: false });
    });

    it('when a JWT access token is revoked with the hint refresh_token then it is still revoked', async () => {
      const tokens = await passwordTokens(appConfig);

      await oidc.tokenRevocation(appConfig, tokens.access_token, {
        token_type_hint: 'refresh_token',
      });

      expect(await introspect(tokens.access_token)).toEqual({ active: false });
    });

    it.each([
      ['the hint refresh_token', { token_type_hint: 'refresh_token' }],
      ['no hint', undefined],
      ['a hint of a kind this service does not know', { token_type_hint: 'id_token' }],
    ])('when a refresh token is revoked with %s then it is revoked', async (_case, hint) => {
      const tokens = await passwordTokens(appConfig);

      await oidc.tokenRevocation(appConfig, tokens.refresh_token!, hint);

      expect(await introspect(tokens.refresh_token!)).toEqual({ active: false });
    });
  });

  describe('public clients', () => {
    let spa: RegisteredClient;
    let spaConfig: oidc.Configuration;

    beforeAll(async () => {
      spa = await service.createClient({
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['https://spa.example.com/callback'],
      });
      spaConfig = await discoverAs(service, spa, oidc.None());
    });

    it('when a public client revokes a token with its client_id alone then 200', async () => {
      const result = await withoutWrites(service.db, () =>
        service.postForm('/revoke', { token: 'unknown-token', client_id: spa.client_id }),
      );

      expect(result.status).toBe(200);
      expect(result.body).toBe('');
      await expect(oidc.tokenRevocation(spaConfig, 'another-unknown')).resolves.toBeUndefined();
    });

    it("when a public client revokes another client's refresh token then 400 unauthorized_client and nothing changes", async () => {
      const tokens = await passwordTokens(appConfig);

      const result = await withoutWrites(service.db, () =>
        service.postForm('/revoke', { token: tokens.refresh_token!, client_id: spa.client_id }),
      );

      expectOAuthError(result, 400, 'unauthorized_client', NOT_YOURS);
      expect(await introspect(tokens.refresh_token!)).toMatchObject({ active: true });
    });
  });

  describe('refused requests', () => {
    it('when the token parameter is missing then 400 invalid_request', async () => {
      const result = await service.postForm(
        '/revoke',
        {},
        { basic: [app.client_id, app.client_secret!] },
      );

      expectOAuthError(result, 400, 'invalid_request', 'token is required');
    });

    it('when the body is JSON instead of a form then 400 invalid_request', async () => {
      const result = await service.request('POST', '/revoke', {
        headers: {
          'content-type': 'application/json',
          authorization: basicAuthorization(app.client_id, app.client_secret!),
        },
        body: JSON.stringify({ token: 'x' }),
      });

      expectOAuthError(
        result,
        400,
        'invalid_request',
        'content type must be application/x-www-form-urlencoded',
      );
    });

    it('when the client does not authenticate then 400 invalid_client and nothing is written', async () => {
      const tokens = await passwordTokens(appConfig);

      const result = await withoutWrites(service.db, () =>
        service.postForm('/revoke', { token: tokens.refresh_token! }),
      );

      expectOAuthError(result, 400, 'invalid_client', 'client authentication is required');
    });

    it('when the client secret is wrong then 401 invalid_client and nothing is written', async () => {
      const tokens = await passwordTokens(appConfig);

      const result = await withoutWrites(service.db, () =>
        service.postForm(
          '/revoke',
          { token: tokens.refresh_token! },
          { basic: [app.client_id, 'wrong-secret'] },
        ),
      );

      expectOAuthError(result, 401, 'invalid_client', 'client authentication failed');
      expect(result.headers.get('www-authenticate')).toBe(`Basic realm="${service.issuer}"`);
    });
  });
});
