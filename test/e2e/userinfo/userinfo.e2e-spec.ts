import * as oidc from 'openid-client';
import { expectOAuthError, JSON_CONTENT_TYPE, withoutWrites } from '../../support/expectations.js';
import { discoverAs } from '../../support/oidc-client.js';
import {
  type HttpResult,
  type RegisteredClient,
  startTestApp,
  type TestApp,
} from '../../support/test-app.js';
import { grantRowOf, setExpiresAt } from '../grants/persisted-grant-rows.js';

const PASSWORD = 'analytical engine';
const INVALID_TOKEN = 'the access token is invalid, expired or revoked';
const ALICE = {
  username: 'alice',
  password: PASSWORD,
  name: 'Alice Liddell',
  given_name: 'Alice',
  family_name: 'Liddell',
  nickname: 'Al',
  preferred_username: 'alice',
  picture: 'https://example.com/alice.png',
  locale: 'en-GB',
  zoneinfo: 'Europe/London',
  birthdate: '1852-05-04',
  email: 'alice@example.com',
  email_verified: true,
  phone_number: '+44 1865 270000',
  phone_number_verified: false,
  address: { locality: 'Oxford', country: 'GB' },
};

describe('userinfo endpoint (OpenID Connect Core §5.3, RFC 6750)', () => {
  let service: TestApp;
  let alice: { id: string } & Record<string, any>;
  /** A relying party of the password grant that may ask for every OpenID Connect scope. */
  let rp: RegisteredClient;
  /** The same, issuing reference (opaque) access tokens. */
  let referenceRp: RegisteredClient;
  /** A client acting for itself (client_credentials), even with scope openid. */
  let machine: RegisteredClient;

  const passwordToken = async (
    scope: string,
    client: RegisteredClient = rp,
    username = 'alice',
  ): Promise<string> => {
    const result = await service.postForm(
      '/token',
      { grant_type: 'password', username, password: PASSWORD, scope },
      { basic: [client.client_id, client.client_secret!] },
    );
    if (result.status !== 200) throw new Error(`token: ${JSON.stringify(result.body)}`);
    return result.body.access_token as string;
  };
  const machineToken = async (scope: string): Promise<string> => {
    const result = await service.postForm(
      '/token',
      { grant_type: 'client_credentials', scope },
      { basic: [machine.client_id, machine.client_secret!] },
    );
    return result.body.access_token as string;
  };
  const getUserinfo = (token: string) =>
    service.request('GET', '/userinfo', { headers: { authorization: `Bearer ${token}` } });

  /** 401 with RFC 6750's challenge naming invalid_token, and the RFC 6749-shaped body. */
  const expectInvalidToken = (result: HttpResult) => {
    expectOAuthError(result, 401, 'invalid_token', INVALID_TOKEN);
    expect(result.headers.get('www-authenticate')).toBe(
      `Bearer realm="${service.issuer}", error="invalid_token"`,
    );
  };
  /** 401 with a bare challenge: no error code, no body (RFC 6750 §3.1). */
  const expectBareChallenge = (result: HttpResult) => {
    expect({ status: result.status, body: result.body }).toEqual({ status: 401, body: '' });
    expect(result.headers.get('www-authenticate')).toBe(`Bearer realm="${service.issuer}"`);
    expect(result.headers.get('content-type')).toBeNull();
    expect(result.headers.get('cache-control')).toBe('no-store');
  };

  beforeAll(async () => {
    service = await startTestApp();
    alice = await service.createUser(ALICE);
    await service.createUser({ username: 'bob', password: PASSWORD });
    const scope = 'openid profile email address phone offline_access read';
    rp = await service.createClient({ grant_types: ['password', 'refresh_token'], scope });
    referenceRp = await service.createClient({
      grant_types: ['password', 'refresh_token'],
      scope,
      access_token_format: 'reference',
    });
    machine = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'openid read',
    });
  });
  afterAll(() => service.close());

  it('when discovery is read then it names the userinfo endpoint, the standard scopes and the claims', async () => {
    const result = await service.request('GET', '/.well-known/openid-configuration');

    expect(result.body).toMatchObject({
      userinfo_endpoint: `${service.issuer}/userinfo`,
      scopes_supported: ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'],
    });
    expect(result.body.claims_supported).toHaveLength(20);
    expect(new Set(result.body.claims_supported)).toEqual(
      new Set([
        'sub',
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
        'email',
        'email_verified',
        'address',
        'phone_number',
        'phone_number_verified',
      ]),
    );
  });

  it('when openid-client fetches userinfo with a token for openid profile email then it gets sub and exactly those claims', async () => {
    const config = await discoverAs(service, rp);
    const tokens = await oidc.genericGrantRequest(config, 'password', {
      username: 'alice',
      password: PASSWORD,
      scope: 'openid profile email',
    });

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, alice.id);

    expect({ ...userinfo }).toEqual({
      sub: alice.id,
      name: 'Alice Liddell',
      given_name: 'Alice',
      family_name: 'Liddell',
      nickname: 'Al',
      preferred_username: 'alice',
      picture: 'https://example.com/alice.png',
      locale: 'en-GB',
      zoneinfo: 'Europe/London',
      birthdate: '1852-05-04',
      updated_at: alice.updated_at,
      email: 'alice@example.com',
      email_verified: true,
    });
  });

  it('when openid-client presents a revoked token then it sees the invalid_token challenge', async () => {
    const config = await discoverAs(service, rp);
    const token = await passwordToken('openid');
    await oidc.tokenRevocation(config, token);

    const failure = await oidc.fetchUserInfo(config, token, alice.id).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    const challenge = (failure as oidc.WWWAuthenticateChallengeError).cause[0]!;
    expect(challenge.scheme).toBe('bearer');
    expect(challenge.parameters).toEqual({ realm: service.issuer, error: 'invalid_token' });
  });

  it('when the response is looked at on the wire then it is JSON, not cacheable, and for GET and POST alike', async () => {
    const token = await passwordToken('openid email');
    const expected = { sub: alice.id, email: 'alice@example.com', email_verified: true };

    const viaGet = await getUserinfo(token);
    const viaPost = await service.request('POST', '/userinfo', {
      headers: { authorization: `Bearer ${token}` },
    });

    for (const result of [viaGet, viaPost]) {
      expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: expected });
      expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
      expect(result.headers.get('cache-control')).toBe('no-store');
      expect(result.headers.get('pragma')).toBe('no-cache');
    }
  });

  it('when the token is sent as the access_token form parameter of a POST then it is accepted', async () => {
    const token = await passwordToken('openid phone');

    const result = await service.postForm('/userinfo', { access_token: token });

    expect({ status: result.status, body: result.body }).toEqual({
      status: 200,
      body: { sub: alice.id, phone_number: '+44 1865 270000', phone_number_verified: false },
    });
  });

  it.each([
    { scope: 'openid', claims: {} },
    { scope: 'openid address', claims: { address: { locality: 'Oxford', country: 'GB' } } },
    {
      scope: 'openid phone read',
      claims: { phone_number: '+44 1865 270000', phone_number_verified: false },
    },
    { scope: 'openid offline_access', claims: {} },
  ])(
    'when the token carries $scope then only sub and the claims of those scopes come',
    async ({ scope, claims }) => {
      const result = await getUserinfo(await passwordToken(scope));

      expect({ status: result.status, body: result.body }).toEqual({
        status: 200,
        body: { sub: alice.id, ...claims },
      });
    },
  );

  it('when the user lacks the claims of a granted scope then they are absent, never null', async () => {
    const bob = (await service.admin('GET', '/admin/users?limit=200')).body.items.find(
      (user: { username: string }) => user.username === 'bob',
    );

    const result = await getUserinfo(await passwordToken('openid email phone address', rp, 'bob'));

    expect({ status: result.status, body: result.body }).toEqual({
      status: 200,
      body: { sub: bob.id },
    });
  });

  it('when the user changed since the token was issued then userinfo says what holds now', async () => {
    const carol = await service.createUser({
      username: 'carol',
      password: PASSWORD,
      name: 'Carol',
    });
    const token = await passwordToken('openid profile', rp, 'carol');
    const changed = await service.admin('PATCH', `/admin/users/${carol.id}`, {
      name: 'Caroline',
    });

    const result = await getUserinfo(token);

    expect(result.body).toEqual({
      sub: carol.id,
      name: 'Caroline',
      updated_at: changed.body.updated_at,
    });
  });

  it('when a reference access token is presented then its user is described', async () => {
    const token = await passwordToken('openid email', referenceRp);
    expect(token.split('.')).toHaveLength(1);

    const result = await getUserinfo(token);

    expect({ status: result.status, body: result.body }).toEqual({
      status: 200,
      body: { sub: alice.id, email: 'alice@example.com', email_verified: true },
    });
  });

  describe('refused requests', () => {
    it('when no token is presented then 401 with a bare challenge, and nothing is written', async () => {
      const result = await withoutWrites(service.db, () => service.request('GET', '/userinfo'));

      expectBareChallenge(result);
    });

    it('when another authentication scheme is used then it counts as no token', async () => {
      const result = await service.request('POST', '/userinfo', {
        headers: { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` },
      });

      expectBareChallenge(result);
    });

    it('when a form POST has no access_token then it counts as no token', async () => {
      expectBareChallenge(await service.postForm('/userinfo', { other: 'value' }));
    });

    it.each([
      { case: 'is not one this service issued', token: 'not-a-token' },
      {
        case: 'is a JWT with a forged signature',
        token: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      },
    ])('when the token $case then 401 invalid_token', async ({ token }) => {
      expectInvalidToken(await getUserinfo(token));
    });

    it('when a JWT access token was revoked then 401 invalid_token', async () => {
      const token = await passwordToken('openid profile');
      const revoked = await service.postForm(
        '/revoke',
        { token },
        { basic: [rp.client_id, rp.client_secret!] },
      );
      expect(revoked.status).toBe(200);

      expectInvalidToken(await getUserinfo(token));
    });

    it('when a reference access token has expired then 401 invalid_token', async () => {
      const token = await passwordToken('openid', referenceRp);
      await setExpiresAt(service.db, token, Date.now() - 1000);

      expectInvalidToken(await getUserinfo(token));
      expect(await grantRowOf(service.db, token)).toBeDefined();
    });

    it('when the token was issued to a client that has since been deleted then 401 invalid_token', async () => {
      const doomed = await service.createClient({ grant_types: ['password'], scope: 'openid' });
      const token = await passwordToken('openid', doomed);
      expect((await getUserinfo(token)).status).toBe(200);
      await service.admin('DELETE', `/admin/clients/${doomed.client_id}`);

      expectInvalidToken(await getUserinfo(token));
    });

    it('when the token user has since been deleted then 401 invalid_token', async () => {
      const dave = await service.createUser({ username: 'dave', password: PASSWORD });
      const token = await passwordToken('openid', rp, 'dave');
      await service.admin('DELETE', `/admin/users/${dave.id}`);

      expectInvalidToken(await getUserinfo(token));
    });

    it.each(['openid read', 'read'])(
      'when a client_credentials token with scope "%s" is presented then 401 invalid_token: it has no user',
      async (scope) => {
        const result = await withoutWrites(service.db, async () =>
          getUserinfo(await machineToken(scope)),
        );

        expectInvalidToken(result);
      },
    );

    it('when the token lacks scope openid then 403 insufficient_scope naming openid', async () => {
      const result = await getUserinfo(await passwordToken('profile email'));

      expectOAuthError(result, 403, 'insufficient_scope', "the access token lacks scope 'openid'");
      expect(result.headers.get('www-authenticate')).toBe(
        `Bearer realm="${service.issuer}", error="insufficient_scope", scope="openid"`,
      );
    });

    it('when the token is sent both in the header and in the form then 400 invalid_request', async () => {
      const token = await passwordToken('openid');

      const result = await service.postForm(
        '/userinfo',
        { access_token: token },
        { headers: { authorization: `Bearer ${token}` } },
      );

      expectOAuthError(
        result,
        400,
        'invalid_request',
        'the access token must be sent in one way only',
      );
    });

    it.each(['GET', 'POST'])(
      'when the token is in the URL query of a %s then 400 invalid_request, even beside a valid header',
      async (method) => {
        const token = await passwordToken('openid');

        const alone = await service.request(method, `/userinfo?access_token=${token}`);
        const withHeader = await service.request(method, `/userinfo?access_token=${token}`, {
          headers: { authorization: `Bearer ${token}` },
        });

        for (const result of [alone, withHeader]) {
          expectOAuthError(
            result,
            400,
            'invalid_request',
            'access tokens are not accepted in the URL query',
          );
        }
      },
    );

    it.each([
      {
        case: 'has no token after Bearer',
        authorization: 'Bearer',
        description: 'the Authorization header has no bearer token',
      },
      {
        case: 'has characters a bearer token cannot have',
        authorization: 'Bearer abc def',
        description: 'the Authorization header is not a valid bearer credential',
      },
    ])(
      'when the Authorization header $case then 400 invalid_request',
      async ({ authorization, description }) => {
        const result = await service.request('GET', '/userinfo', { headers: { authorization } });

        expectOAuthError(result, 400, 'invalid_request', description);
      },
    );

    it('when the form repeats access_token then 400 invalid_request', async () => {
      const token = await passwordToken('openid');

      const result = await service.request('POST', '/userinfo', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `access_token=${token}&access_token=${token}`,
      });

      expectOAuthError(result, 400, 'invalid_request', 'parameter access_token is repeated');
    });
  });
});
