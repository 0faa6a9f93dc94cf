import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { discoverAs } from '../../support/oidc-client.js';
import {
  startTestApp,
  type HttpResult,
  type RegisteredClient,
  type TestApp,
} from '../../support/test-app.js';
import { allGrantRows, grantRowOf, handleHash } from './persisted-grant-rows.js';

const PASSWORD = 'correct horse battery staple';
const WRONG_CREDENTIALS = {
  error: 'invalid_grant',
  error_description: 'the username or password is wrong',
};

describe('password grant (RFC 6749 §4.3)', () => {
  let service: TestApp;
  let user: { id: string; username: string };
  /** Registered for password and refresh_token. */
  let withRefresh: RegisteredClient;
  /** Registered for password only. */
  let passwordOnly: RegisteredClient;
  let postClient: RegisteredClient;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    service = await startTestApp();
    user = await service.createUser({ username: 'alice', password: PASSWORD, name: 'Alice' });
    withRefresh = await service.createClient({
      grant_types: ['password', 'refresh_token'],
      scope: 'read write',
    });
    passwordOnly = await service.createClient({ grant_types: ['password'], scope: 'read write' });
    postClient = await service.createClient({
      grant_types: ['password'],
      scope: 'read',
      token_endpoint_auth_method: 'client_secret_post',
    });
    jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
  });
  afterAll(() => service.close());

  const passwordRequest = (
    client: RegisteredClient,
    params: Record<string, string>,
  ): Promise<HttpResult> =>
    service.postForm(
      '/token',
      { grant_type: 'password', ...params },
      { basic: [client.client_id, client.client_secret!] },
    );

  /** Sends the request and checks it left persisted_grant as it was. */
  async function refused(send: () => Promise<HttpResult>): Promise<HttpResult> {
    const before = await allGrantRows(service.db);
    const result = await send();
    expect(await allGrantRows(service.db)).toEqual(before);
    expect(result.headers.get('cache-control')).toBe('no-store');
    return result;
  }

  it('when openid-client sends the right username and password then it gets a JWT access token for the user and a stored refresh token', async () => {
    const config = await discoverAs(service, withRefresh);
    const tokens = await oidc.genericGrantRequest(config, 'password', {
      username: 'alice',
      password: PASSWORD,
      scope: 'read',
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope).toBe('read');
    expect(typeof tokens.refresh_token).toBe('string');

    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: service.issuer,
      audience: service.issuer,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: user.id,
      client_id: withRefresh.client_id,
      scope: 'read',
    });
    // auth_time is when the password was checked, just before the token was minted.
    expect(payload.auth_time).toEqual(expect.any(Number));
    expect(payload.auth_time).toBeLessThanOrEqual(payload.iat!);
    expect(payload).not.toHaveProperty('username');

    const row = await grantRowOf(service.db, tokens.refresh_token!);
    expect(row).toMatchObject({
      type: 'refresh_token',
      handle_hash: handleHash(tokens.refresh_token!),
      client_id: withRefresh.client_id,
      subject: user.id,
      consumed_at: null,
      payload: {
        subject: user.id,
        username: 'alice',
        scope: 'read',
        authTime: payload.auth_time,
        familyExpiresAt: row!.expires_at,
      },
    });
    // The default refresh_token_ttl: 30 days.
    expect(row!.expires_at - row!.created_at).toBe(30 * 24 * 3600 * 1000);
    // Only the hash is stored, nowhere the token itself.
    expect(JSON.stringify(await allGrantRows(service.db))).not.toContain(tokens.refresh_token);
  });

  it('when no scope is asked for then every scope the client is registered for is granted', async () => {
    const config = await discoverAs(service, withRefresh);
    const tokens = await oidc.genericGrantRequest(config, 'password', {
      username: 'alice',
      password: PASSWORD,
    });
    expect(tokens.scope).toBe('read write');
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: service.issuer });
    expect(payload.scope).toBe('read write');
    expect((await grantRowOf(service.db, tokens.refresh_token!))!.payload.scope).toBe('read write');
  });

  it('when the client is not registered for refresh_token then it gets an access token only and nothing is stored', async () => {
    const before = await allGrantRows(service.db);
    const config = await discoverAs(service, passwordOnly);
    const tokens = await oidc.genericGrantRequest(config, 'password', {
      username: 'alice',
      password: PASSWORD,
      scope: 'write',
    });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).toBe('write');
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: service.issuer });
    expect(payload).toMatchObject({ sub: user.id, client_id: passwordOnly.client_id });
    expect(await allGrantRows(service.db)).toEqual(before);
  });

  it('when the client authenticates with client_secret_post then the grant works the same', async () => {
    const config = await discoverAs(
      service,
      postClient,
      oidc.ClientSecretPost(postClient.client_secret!),
    );
    const tokens = await oidc.genericGrantRequest(config, 'password', {
      username: 'alice',
      password: PASSWORD,
    });
    expect(tokens.scope).toBe('read');
    expect(tokens.refresh_token).toBeUndefined();
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: service.issuer });
    expect(payload).toMatchObject({ sub: user.id, client_id: postClient.client_id });
  });

  it('when the password is wrong then invalid_grant and nothing is stored', async () => {
    const result = await refused(() =>
      passwordRequest(withRefresh, { username: 'alice', password: `${PASSWORD}!` }),
    );
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: WRONG_CREDENTIALS,
    });
  });

  it('when openid-client sends a wrong password then it raises invalid_grant with the same description', async () => {
    const config = await discoverAs(service, withRefresh);
    const error = await oidc
      .genericGrantRequest(config, 'password', { username: 'alice', password: 'nope-nope' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(oidc.ResponseBodyError);
    expect(error).toMatchObject({ status: 400, cause: WRONG_CREDENTIALS });
  });

  it('when the user is unknown then invalid_grant with the same description as a wrong password', async () => {
    const result = await refused(() =>
      passwordRequest(withRefresh, { username: 'mallory', password: PASSWORD }),
    );
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: WRONG_CREDENTIALS,
    });
  });

  it('when username is missing then invalid_request names it', async () => {
    const result = await refused(() => passwordRequest(withRefresh, { password: PASSWORD }));
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'username is required' },
    });
  });

  it('when password is missing then invalid_request names it', async () => {
    const result = await refused(() => passwordRequest(withRefresh, { username: 'alice' }));
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'password is required' },
    });
  });

  it('when the username is longer than 255 characters then invalid_request names it', async () => {
    const result = await refused(() =>
      passwordRequest(withRefresh, { username: 'a'.repeat(256), password: PASSWORD }),
    );
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'username is invalid' },
    });
  });

  it('when the scope goes beyond the client registration then invalid_scope even with the right password', async () => {
    const result = await refused(() =>
      passwordRequest(withRefresh, { username: 'alice', password: PASSWORD, scope: 'read admin' }),
    );
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: { error: 'invalid_scope', error_description: 'scope not allowed: admin' },
    });
  });

  it('when the user is deleted then the password grant no longer accepts their password', async () => {
    const bob = await service.createUser({ username: 'bob', password: PASSWORD });
    expect(
      (await passwordRequest(passwordOnly, { username: 'bob', password: PASSWORD })).status,
    ).toBe(200);
    expect((await service.admin('DELETE', `/admin/users/${bob.id}`)).status).toBe(204);
    const result = await passwordRequest(passwordOnly, { username: 'bob', password: PASSWORD });
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: WRONG_CREDENTIALS,
    });
  });
});
