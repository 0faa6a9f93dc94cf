import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  authorizeThrough,
  authorizeUrl,
  formAction,
  hiddenInputs,
  pkcePair,
  randomValue,
  redirectOf,
  REDIRECT_URI,
  sessionRowOf,
  UserAgent,
} from './user-agent.js';

const PASSWORD = 'correct horse battery staple';

function leftHalfHash(value: string): string {
  return createHash('sha256').update(value, 'ascii').digest().subarray(0, 16).toString('base64url');
}

describe('authorization endpoint: successful responses in each response type and mode (OAuth 2.0 Multiple Response Types, Form Post Response Mode)', () => {
  let service: TestApp;
  let user: { id: string; username: string };
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let browser: UserAgent;
  let session: { sid: string; authTime: number };
  let web: RegisteredClient;
  let implicit: RegisteredClient;
  let hybrid: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    user = await service.createUser({
      username: 'judy',
      password: PASSWORD,
      name: 'Judy Example',
      given_name: 'Judy',
      email: 'judy@example.com',
    });
    const common = { redirect_uris: [REDIRECT_URI], require_consent: false };
    web = await service.createClient({
      ...common,
      grant_types: ['authorization_code'],
      scope: 'openid profile email',
    });
    implicit = await service.createClient({
      ...common,
      grant_types: ['implicit'],
      response_types: ['id_token', 'id_token token'],
      scope: 'openid profile email',
    });
    hybrid = await service.createClient({
      ...common,
      grant_types: ['authorization_code', 'implicit'],
      response_types: ['code id_token', 'code token', 'code id_token token'],
      scope: 'openid profile email',
    });
    jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
    browser = new UserAgent(service.issuer);
    // Sign in once through the web client; every request below then answers at once.
    const { challenge } = pkcePair();
    const signedIn = await authorizeThrough(
      browser,
      authorizeUrl(service, {
        client_id: web.client_id,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { username: 'judy', password: PASSWORD },
    );
    expect(redirectOf(signedIn).query.code).toEqual(expect.any(String));
    const row = (await sessionRowOf(service.db, browser))!;
    const payload = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
    session = { sid: row.family_id, authTime: payload.authTime };
  });
  afterAll(() => service.close());

  const request = (client: RegisteredClient, params: Record<string, string>) =>
    browser.get(
      authorizeUrl(service, {
        client_id: client.client_id,
        redirect_uri: REDIRECT_URI,
        scope: 'openid profile',
        state: 'st',
        ...params,
      }),
    );

  const verifyIdToken = async (token: string, client: RegisteredClient) =>
    (await jwtVerify(token, jwks, { issuer: service.issuer, audience: client.client_id })).payload;

  it('when response_mode=fragment is asked for code then the code comes in the fragment', async () => {
    const { challenge } = pkcePair();
    const response = await request(web, {
      response_type: 'code',
      response_mode: 'fragment',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(redirectOf(response)).toEqual({
      uri: REDIRECT_URI,
      query: {},
      fragment: { code: expect.any(String), state: 'st', iss: service.issuer },
    });
  });

  it('when response_mode=form_post is asked then an auto-posting form carries the code, state and iss', async () => {
    const { challenge } = pkcePair();
    const response = await request(web, {
      response_type: 'code',
      response_mode: 'form_post',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toContain(
      "form-action 'self' https://rp.example.test;",
    );
    expect(formAction(response.text)).toBe(REDIRECT_URI);
    expect(hiddenInputs(response.text)).toEqual({
      code: expect.any(String),
      state: 'st',
      iss: service.issuer,
    });
  });

  it('when response_type=id_token token then the fragment carries the access token and an ID token with at_hash, nonce, sid and auth_time', async () => {
    const nonce = randomValue();
    const { fragment, query } = redirectOf(
      await request(implicit, { response_type: 'id_token token', nonce }),
    );
    expect(query).toEqual({});
    expect(fragment).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: '3600',
      scope: 'openid profile',
      id_token: expect.any(String),
      state: 'st',
      iss: service.issuer,
    });
    const idToken = await verifyIdToken(fragment.id_token!, implicit);
    expect(idToken).toEqual({
      iss: service.issuer,
      sub: user.id,
      aud: implicit.client_id,
      iat: expect.any(Number),
      exp: idToken.iat! + 3600,
      nonce,
      auth_time: session.authTime,
      sid: session.sid,
      at_hash: leftHalfHash(fragment.access_token!),
    });
  });

  it('when response_type is spelled in another order then it is the same response type', async () => {
    const { fragment } = redirectOf(
      await request(implicit, { response_type: 'token id_token', nonce: 'n' }),
    );
    expect(Object.keys(fragment).sort()).toEqual(
      ['access_token', 'expires_in', 'id_token', 'iss', 'scope', 'state', 'token_type'].sort(),
    );
  });

  it('when response_type=id_token then the fragment carries only the ID token, with the claims of the scopes', async () => {
    const nonce = randomValue();
    const { fragment } = redirectOf(
      await request(implicit, { response_type: 'id_token', nonce, scope: 'openid profile email' }),
    );
    expect(fragment).toEqual({ id_token: expect.any(String), state: 'st', iss: service.issuer });
    const idToken = await verifyIdToken(fragment.id_token!, implicit);
    expect(idToken).toMatchObject({
      sub: user.id,
      nonce,
      name: 'Judy Example',
      given_name: 'Judy',
      email: 'judy@example.com',
    });
    expect(idToken.at_hash).toBeUndefined();
  });

  it('when response_type=code id_token then the fragment carries the code and an ID token with c_hash, and the code redeems with the same nonce', async () => {
    const nonce = randomValue();
    const { verifier, challenge } = pkcePair();
    const { fragment } = redirectOf(
      await request(hybrid, {
        response_type: 'code id_token',
        nonce,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(fragment).toEqual({
      code: expect.any(String),
      id_token: expect.any(String),
      state: 'st',
      iss: service.issuer,
    });
    const front = await verifyIdToken(fragment.id_token!, hybrid);
    expect(front).toMatchObject({ nonce, sid: session.sid, c_hash: leftHalfHash(fragment.code!) });
    expect(front.at_hash).toBeUndefined();

    const tokens = await service.postForm(
      '/token',
      {
        grant_type: 'authorization_code',
        code: fragment.code!,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      { basic: [hybrid.client_id, hybrid.client_secret!] },
    );
    expect(tokens.status).toBe(200);
    const back = await verifyIdToken(tokens.body.id_token, hybrid);
    expect(back).toMatchObject({ sub: user.id, nonce, sid: session.sid });
  });

  it('when response_type=code id_token token then the ID token carries both c_hash and at_hash', async () => {
    const { challenge } = pkcePair();
    const { fragment } = redirectOf(
      await request(hybrid, {
        response_type: 'code id_token token',
        nonce: 'n',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(Object.keys(fragment).sort()).toEqual(
      [
        'access_token',
        'code',
        'expires_in',
        'id_token',
        'iss',
        'scope',
        'state',
        'token_type',
      ].sort(),
    );
    expect(await verifyIdToken(fragment.id_token!, hybrid)).toMatchObject({
      c_hash: leftHalfHash(fragment.code!),
      at_hash: leftHalfHash(fragment.access_token!),
    });
  });

  it('when response_type=code token then the fragment carries the code and the access token, no ID token and no refresh token', async () => {
    const { challenge } = pkcePair();
    const { fragment } = redirectOf(
      await request(hybrid, {
        response_type: 'code token',
        nonce: 'n',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(fragment).toEqual({
      code: expect.any(String),
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: '3600',
      scope: 'openid profile',
      state: 'st',
      iss: service.issuer,
    });
  });
});
