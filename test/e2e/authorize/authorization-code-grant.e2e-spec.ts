import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { expectOAuthError, expectRevokedJwt } from '../../support/expectations.js';
import {
  startTestApp,
  type HttpResult,
  type RegisteredClient,
  type TestApp,
} from '../../support/test-app.js';
import { grantRowOf, setExpiresAt } from '../grants/persisted-grant-rows.js';
import {
  authorizeThrough,
  authorizeUrl,
  pkcePair,
  randomValue,
  redirectOf,
  REDIRECT_URI,
  sessionRowOf,
  UserAgent,
} from './user-agent.js';

const PASSWORD = 'correct horse battery staple';
const OTHER_REDIRECT_URI = 'https://rp.example.test/other-cb';
const INVALID_CODE = 'the authorization code is invalid, expired or already used';

/** OpenID Connect Core §3.1.3.6: left half of the SHA-256 of the ASCII value, base64url. */
function leftHalfHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return digest.subarray(0, 16).toString('base64url');
}

describe('token endpoint: authorization_code grant (RFC 6749 §4.1.3, RFC 7636, OpenID Connect Core §3.1.3)', () => {
  let service: TestApp;
  let user: { id: string; username: string };
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  /** Signed in once; no client below asks consent. */
  let browser: UserAgent;
  /** Confidential, with refresh tokens and two redirect URIs. */
  let web: RegisteredClient;
  /** Confidential, same registration: to present another client's code. */
  let otherWeb: RegisteredClient;
  /** Confidential, without the refresh_token grant. */
  let noRefresh: RegisteredClient;
  /** Public: PKCE always. */
  let spa: RegisteredClient;
  /** Confidential with require_pkce false and one redirect URI. */
  let noPkce: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    user = await service.createUser({
      username: 'grace',
      password: PASSWORD,
      email: 'grace@example.com',
    });
    const codeClient = (extra: Record<string, unknown> = {}) =>
      service.createClient({
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: [REDIRECT_URI, OTHER_REDIRECT_URI],
        scope: 'openid profile email offline_access',
        require_consent: false,
        ...extra,
      });
    web = await codeClient();
    otherWeb = await codeClient();
    noRefresh = await codeClient({ grant_types: ['authorization_code'] });
    spa = await codeClient({
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
    });
    noPkce = await codeClient({
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT_URI],
      require_pkce: false,
    });
    const discovery = await service.request('GET', '/.well-known/openid-configuration');
    jwks = createRemoteJWKSet(new URL(discovery.body.jwks_uri));
    browser = new UserAgent(service.issuer);
  });
  afterAll(() => service.close());

  interface Authorized {
    readonly code: string;
    readonly verifier: string;
    readonly nonce: string;
  }

  /** A code for the client from the authorization endpoint, the user signing in when needed. */
  async function authorize(
    client: RegisteredClient,
    options: { scope?: string; pkce?: boolean; redirectUri?: string | null } = {},
  ): Promise<Authorized> {
    const { verifier, challenge } = pkcePair();
    const nonce = randomValue();
    const params: Record<string, string> = {
      client_id: client.client_id,
      response_type: 'code',
      scope: options.scope ?? 'openid profile offline_access',
      state: 'st',
      nonce,
    };
    if (options.redirectUri !== null) params.redirect_uri = options.redirectUri ?? REDIRECT_URI;
    if (options.pkce !== false) {
      params.code_challenge = challenge;
      params.code_challenge_method = 'S256';
    }
    const response = await authorizeThrough(browser, authorizeUrl(service, params), {
      username: 'grace',
      password: PASSWORD,
    });
    const { query } = redirectOf(response);
    expect(query).toEqual({ code: expect.any(String), state: 'st', iss: service.issuer });
    return { code: query.code!, verifier, nonce };
  }

  /** The token request of a client: HTTP Basic for confidential clients, client_id in the body for public ones. */
  function redeem(
    client: RegisteredClient,
    params: Record<string, string | undefined>,
  ): Promise<HttpResult> {
    const body = Object.fromEntries(
      Object.entries({ grant_type: 'authorization_code', ...params }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    return client.client_secret === undefined
      ? service.postForm('/token', { ...body, client_id: client.client_id })
      : service.postForm('/token', body, { basic: [client.client_id, client.client_secret] });
  }

  const redeemed = (
    client: RegisteredClient,
    authorized: Authorized,
    extra: Record<string, string | undefined> = {},
  ) =>
    redeem(client, {
      code: authorized.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: authorized.verifier,
      ...extra,
    });

  function expectTokens(result: HttpResult): Record<string, any> {
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    return result.body;
  }

  const codeRow = async (code: string) => (await grantRowOf(service.db, code))!;

  it('when a code is redeemed then access, ID and refresh tokens come back, and the ID token carries iss, aud, nonce, auth_time, sid and at_hash', async () => {
    const authorized = await authorize(web, { scope: 'openid profile email offline_access' });
    const session = (await sessionRowOf(service.db, browser))!;

    const body = expectTokens(await redeemed(web, authorized));

    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'openid profile email offline_access',
      refresh_token: expect.any(String),
      id_token: expect.any(String),
    });
    const { payload: idToken, protectedHeader } = await jwtVerify(body.id_token, jwks, {
      issuer: service.issuer,
      audience: web.client_id,
    });
    const sessionPayload =
      typeof session.payload === 'string' ? JSON.parse(session.payload) : session.payload;
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(idToken).toEqual({
      iss: service.issuer,
      sub: user.id,
      aud: web.client_id,
      iat: expect.any(Number),
      exp: idToken.iat! + 3600,
      nonce: authorized.nonce,
      auth_time: sessionPayload.authTime,
      sid: session.family_id,
      at_hash: leftHalfHash(body.access_token),
    });

    const { payload: access } = await jwtVerify(body.access_token, jwks, {
      issuer: service.issuer,
      typ: 'at+jwt',
    });
    expect(access).toMatchObject({
      sub: user.id,
      client_id: web.client_id,
      scope: 'openid profile email offline_access',
      auth_time: sessionPayload.authTime,
    });

    const row = await codeRow(authorized.code);
    expect(row).toMatchObject({
      type: 'authorization_code',
      client_id: web.client_id,
      subject: user.id,
    });
    expect(row.consumed_at).toEqual(expect.any(Number));
    expect(row.payload).toMatchObject({
      redirectUri: REDIRECT_URI,
      redirectUriGiven: true,
      nonce: authorized.nonce,
      scope: 'openid profile email offline_access',
      accessTokenJti: decodeJwt(body.access_token).jti,
    });
    expect((await grantRowOf(service.db, body.refresh_token))!.family_id).toBe(row.family_id);
  });

  it('when an OpenID request did not ask offline_access then no refresh token comes back', async () => {
    const body = expectTokens(
      await redeemed(web, await authorize(web, { scope: 'openid profile' })),
    );
    expect(Object.keys(body).sort()).toEqual([
      'access_token',
      'expires_in',
      'id_token',
      'scope',
      'token_type',
    ]);
  });

  it('when the client lacks the refresh_token grant then no refresh token comes back even with offline_access', async () => {
    const body = expectTokens(
      await redeemed(noRefresh, await authorize(noRefresh, { scope: 'openid offline_access' })),
    );
    expect(body.refresh_token).toBeUndefined();
    expect(body.id_token).toEqual(expect.any(String));
  });

  it('when a plain OAuth code is redeemed then no ID token comes back', async () => {
    const body = expectTokens(await redeemed(web, await authorize(web, { scope: 'profile' })));
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'profile',
      refresh_token: expect.any(String),
    });
  });

  it('when a public client redeems its code with client_id and the verifier then tokens come back', async () => {
    const authorized = await authorize(spa, { scope: 'openid' });
    const body = expectTokens(await redeemed(spa, authorized));
    const { payload } = await jwtVerify(body.id_token, jwks, {
      issuer: service.issuer,
      audience: spa.client_id,
    });
    expect(payload.nonce).toBe(authorized.nonce);
    expect(decodeProtectedHeader(body.id_token).alg).toBe('RS256');
  });

  it('when the code is redeemed twice then the second gets invalid_grant, the first access token introspects inactive and the first refresh token fails', async () => {
    const authorized = await authorize(web);
    const first = expectTokens(await redeemed(web, authorized));
    const introspect = (token: string) =>
      service.postForm('/introspect', { token }, { basic: [web.client_id, web.client_secret!] });
    expect((await introspect(first.access_token)).body.active).toBe(true);

    expectOAuthError(await redeemed(web, authorized), 400, 'invalid_grant', INVALID_CODE);

    expect((await introspect(first.access_token)).body).toEqual({ active: false });
    await expectRevokedJwt(service.db, first.access_token, web.client_id);
    expect((await introspect(first.refresh_token)).body).toEqual({ active: false });
    expectOAuthError(
      await service.postForm(
        '/token',
        { grant_type: 'refresh_token', refresh_token: first.refresh_token },
        { basic: [web.client_id, web.client_secret!] },
      ),
      400,
      'invalid_grant',
      'the refresh token is invalid, expired or revoked',
    );
  });

  it('when the code is unknown then invalid_grant', async () => {
    expectOAuthError(
      await redeem(web, {
        code: randomValue(),
        redirect_uri: REDIRECT_URI,
        code_verifier: pkcePair().verifier,
      }),
      400,
      'invalid_grant',
      INVALID_CODE,
    );
  });

  it('when another client presents the code then invalid_grant, and the code still works for its own client', async () => {
    const authorized = await authorize(web);

    expectOAuthError(await redeemed(otherWeb, authorized), 400, 'invalid_grant', INVALID_CODE);
    expect((await codeRow(authorized.code)).consumed_at).toBeNull();

    expectTokens(await redeemed(web, authorized));
  });

  it('when the token request names another registered redirect_uri then invalid_grant, and the code still works', async () => {
    const authorized = await authorize(web);

    expectOAuthError(
      await redeemed(web, authorized, { redirect_uri: OTHER_REDIRECT_URI }),
      400,
      'invalid_grant',
      'redirect_uri does not match the authorization request',
    );
    expect((await codeRow(authorized.code)).consumed_at).toBeNull();

    expectTokens(await redeemed(web, authorized));
  });

  it('when the authorization request had redirect_uri and the token request has none then invalid_request', async () => {
    const authorized = await authorize(web);
    expectOAuthError(
      await redeemed(web, authorized, { redirect_uri: undefined }),
      400,
      'invalid_request',
      'redirect_uri is required: the authorization request had one',
    );
    expect((await codeRow(authorized.code)).consumed_at).toBeNull();
  });

  it('when the authorization request left out redirect_uri then the token request may too', async () => {
    const authorized = await authorize(noPkce, {
      scope: 'profile',
      pkce: false,
      redirectUri: null,
    });
    expect((await codeRow(authorized.code)).payload).toMatchObject({
      redirectUri: REDIRECT_URI,
      redirectUriGiven: false,
    });
    expectTokens(await redeem(noPkce, { code: authorized.code }));
  });

  it('when the code has expired then invalid_grant', async () => {
    const authorized = await authorize(web);
    await setExpiresAt(service.db, authorized.code, Date.now() - 1000);
    expectOAuthError(await redeemed(web, authorized), 400, 'invalid_grant', INVALID_CODE);
  });

  it('when the code_verifier is wrong, too short or missing then invalid_grant, and the code still works with the right one afterwards', async () => {
    const authorized = await authorize(spa);

    expectOAuthError(
      await redeemed(spa, authorized, { code_verifier: pkcePair().verifier }),
      400,
      'invalid_grant',
      'code_verifier does not match the code_challenge',
    );
    expectOAuthError(
      await redeemed(spa, authorized, { code_verifier: authorized.verifier.slice(0, 42) }),
      400,
      'invalid_grant',
      'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~',
    );
    expectOAuthError(
      await redeemed(spa, authorized, { code_verifier: undefined }),
      400,
      'invalid_grant',
      'code_verifier is required (PKCE)',
    );
    expect((await codeRow(authorized.code)).consumed_at).toBeNull();

    expectTokens(await redeemed(spa, authorized));
  });

  it('when a code_verifier is sent for a code issued without a challenge then invalid_grant (no PKCE downgrade)', async () => {
    const authorized = await authorize(noPkce, { pkce: false });
    expectOAuthError(
      await redeemed(noPkce, authorized),
      400,
      'invalid_grant',
      'code_verifier was sent but the authorization request had no code_challenge',
    );
    expect((await codeRow(authorized.code)).consumed_at).toBeNull();

    expectTokens(await redeemed(noPkce, authorized, { code_verifier: undefined }));
  });
});
