import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import { expectOAuthError, expectProblem, withoutWrites } from '../../support/expectations.js';
import { REDIRECT_URI, UserAgent, expectErrorPage } from '../authorize/user-agent.js';
import { assertionClaims, unsecuredJwt } from '../trust/assertions.js';

const NUL = '\u0000';

/**
 * U+0000 in identifiers: PostgreSQL text cannot hold it and fails the whole
 * query, so each lookup by a caller-given identifier answers "not found"
 * before the database is asked. Found by the property tests (a 500 at the
 * authorization endpoint on PostgreSQL).
 */
describe('NUL characters in identifiers (a 500 on PostgreSQL before)', () => {
  let service: TestApp;
  let client: RegisteredClient;
  let user: { id: string };

  beforeAll(async () => {
    service = await startTestApp();
    user = await service.createUser({
      username: 'nul-user',
      password: 'correct horse battery staple',
    });
    client = await service.createClient({
      grant_types: [
        'authorization_code',
        'password',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
      ],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid',
    });
  });
  afterAll(() => service?.close());

  it('when the authorization endpoint gets a client_id with a NUL then the page says the client is unknown', async () => {
    const page = await withoutWrites(service.db, () =>
      new UserAgent(service.issuer).get(
        `/authorize?client_id=a%00b&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
      ),
    );

    expect(page.status).toBe(400);
    expectErrorPage(page, 400, page.text.match(/<p class="error" role="alert">([^<]*)<\/p>/)![1]!);
  });

  it('when the token endpoint gets a client_id with a NUL then 400 invalid_client', async () => {
    const result = await withoutWrites(service.db, () =>
      service.postForm('/token', { grant_type: 'client_credentials', client_id: `a${NUL}b` }),
    );

    expectOAuthError(result, 400, 'invalid_client', 'client authentication failed');
  });

  it('when Basic credentials name a client_id with a NUL then 401 invalid_client', async () => {
    const result = await withoutWrites(service.db, () =>
      service.postForm(
        '/token',
        { grant_type: 'client_credentials' },
        { basic: [`a${NUL}b`, 'secret'] },
      ),
    );

    expect(result.status).toBe(401);
    expect(result.body).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it('when the password grant gets a username with a NUL then invalid_grant like any wrong username', async () => {
    const result = await withoutWrites(service.db, () =>
      service.postForm(
        '/token',
        {
          grant_type: 'password',
          username: `nul-user${NUL}`,
          password: 'correct horse battery staple',
        },
        { basic: [client.client_id, client.client_secret!] },
      ),
    );

    expectOAuthError(result, 400, 'invalid_grant', 'the username or password is wrong');
  });

  it('when a JWT bearer assertion names an issuer with a NUL then invalid_grant', async () => {
    const assertion = unsecuredJwt(assertionClaims(`https://x${NUL}.example`, 'a', service.issuer));
    const result = await withoutWrites(service.db, () =>
      service.postForm(
        '/token',
        { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion },
        { basic: [client.client_id, client.client_secret!] },
      ),
    );

    expect(result.status).toBe(400);
    expect(result.body.error).toBe('invalid_grant');
  });

  it.each([
    ['GET', '/admin/clients/a%00b'],
    ['PATCH', '/admin/clients/a%00b'],
    ['DELETE', '/admin/clients/a%00b'],
    ['GET', '/admin/users/a%00b'],
    ['DELETE', '/admin/users/a%00b'],
    ['DELETE', '/admin/trusted-issuers/a%00b'],
  ])('when the admin API gets %s %s then 404, not 500', async (method, path) => {
    const result = await withoutWrites(service.db, () =>
      service.admin(method, path, method === 'PATCH' ? { client_name: 'x' } : undefined),
    );

    expect(result.status).toBe(404);
    expectProblem(result, 404, { detail: result.body.detail });
  });

  it('when consents of a user are withdrawn for a client_id with a NUL then 404, not 500', async () => {
    const result = await withoutWrites(service.db, () =>
      service.admin('DELETE', `/admin/users/${user.id}/consents/a%00b`),
    );

    expect(result.status).toBeLessThan(500);
    expect(result.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  });

  it.each([
    ['/admin/users', { username: `a${NUL}b`, password: 'correct horse battery staple' }],
    ['/admin/clients', { client_id: `a${NUL}b`, grant_types: ['client_credentials'] }],
    ['/admin/trusted-issuers', { issuer: `https://a${NUL}b.example`, jwks: { keys: [] } }],
  ])('when POST %s gets an identifier with a NUL then 400, not 500', async (path, body) => {
    const result = await withoutWrites(service.db, () => service.admin('POST', path, body));

    expect(result.status).toBe(400);
    expect(result.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  });
});
