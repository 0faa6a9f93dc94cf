import { type HttpResult, startTestApp, type TestApp } from '../../support/test-app.js';

const APP = 'https://app.example.com';
const OTHER = 'https://other.example.com';
const SPA = 'http://localhost:5173';
const STRANGER = 'https://evil.example.net';
const PASSWORD = 'correct horse battery staple';

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-allow-credentials',
  'access-control-max-age',
  'access-control-expose-headers',
  'vary',
] as const;

/** The CORS headers of a response, those absent as null. */
function corsHeaders(result: HttpResult): Record<string, string | null> {
  return Object.fromEntries(CORS_HEADERS.map((name) => [name, result.headers.get(name)]));
}

const NONE = Object.fromEntries(CORS_HEADERS.map((name) => [name, null]));
/** An actual request's answer to an origin the involved client allows. */
const echoed = (origin: string) => ({
  ...NONE,
  'access-control-allow-origin': origin,
  'access-control-expose-headers': 'WWW-Authenticate',
  vary: 'Origin',
});
/** An actual request's answer to an origin that is not allowed: nothing but Vary. */
const refused = { ...NONE, vary: 'Origin' };
const preflightAllowed = (origin: string, methods: string) => ({
  ...NONE,
  'access-control-allow-origin': origin,
  'access-control-allow-methods': methods,
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-max-age': '600',
  vary: 'Origin',
});

describe('CORS', () => {
  let service: TestApp;
  /** Confidential, password grant, allowed origin APP. */
  let appClient: { client_id: string; client_secret?: string };
  /** A public browser app (authorization_code + refresh_token), allowed origin SPA. */
  let spaClient: { client_id: string };

  const preflight = (path: string, origin: string | undefined, method = 'POST') =>
    service.request('OPTIONS', path, {
      headers: {
        ...(origin === undefined ? {} : { origin }),
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization, content-type',
      },
    });
  const passwordToken = (
    client: { client_id: string; client_secret?: string },
    origin?: string,
    scope = 'openid',
  ) =>
    service.postForm(
      '/token',
      { grant_type: 'password', username: 'alice', password: PASSWORD, scope },
      {
        basic: [client.client_id, client.client_secret!],
        headers: origin === undefined ? {} : { origin },
      },
    );
  const userinfo = (token: string, origin: string) =>
    service.request('GET', '/userinfo', { headers: { authorization: `Bearer ${token}`, origin } });

  beforeAll(async () => {
    service = await startTestApp();
    await service.createUser({ username: 'alice', password: PASSWORD });
    appClient = await service.createClient({
      grant_types: ['password', 'refresh_token'],
      scope: 'openid profile',
      allowed_cors_origins: [APP],
    });
    // Another client, whose origin OTHER the first one does not share.
    await service.createClient({
      grant_types: ['password'],
      scope: 'openid profile',
      allowed_cors_origins: [OTHER],
    });
    spaClient = await service.createClient({
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [`${SPA}/callback`],
      token_endpoint_auth_method: 'none',
      scope: 'openid',
      allowed_cors_origins: [SPA],
    });
  });
  afterAll(() => service.close());

  describe('public documents', () => {
    it.each([
      '/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server',
      '/jwks',
    ])(
      'when %s is fetched from any origin then it is allowed with *, without credentials',
      async (path) => {
        const result = await service.request('GET', path, { headers: { origin: STRANGER } });

        expect(result.status).toBe(200);
        expect(corsHeaders(result)).toEqual({ ...NONE, 'access-control-allow-origin': '*' });
      },
    );

    it('when the JWKS is preflighted then 204 allows any origin to GET it', async () => {
      const result = await preflight('/jwks', STRANGER, 'GET');

      expect({ status: result.status, body: result.body }).toEqual({ status: 204, body: '' });
      expect(corsHeaders(result)).toEqual({
        ...NONE,
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET',
        'access-control-max-age': '600',
      });
    });
  });

  describe('preflight of the client endpoints', () => {
    it.each([
      { path: '/token', origin: APP, methods: 'POST' },
      { path: '/revoke', origin: OTHER, methods: 'POST' },
      { path: '/userinfo', origin: SPA, methods: 'GET, POST' },
    ])(
      'when $path is preflighted from an origin some client allows then 204 echoes it with methods $methods',
      async ({ path, origin, methods }) => {
        const result = await preflight(path, origin);

        expect({ status: result.status, body: result.body }).toEqual({ status: 204, body: '' });
        expect(corsHeaders(result)).toEqual(preflightAllowed(origin, methods));
      },
    );

    it.each(['/token', '/revoke', '/userinfo'])(
      'when %s is preflighted from an origin no client allows then 204 without allowing it',
      async (path) => {
        const result = await preflight(path, STRANGER);

        expect(result.status).toBe(204);
        expect(corsHeaders(result)).toEqual(refused);
      },
    );

    it('when a preflight carries no Origin then 204 without allowing anything', async () => {
      const result = await preflight('/token', undefined);

      expect(result.status).toBe(204);
      expect(corsHeaders(result)).toEqual(refused);
    });

    it('when an allowed origin differs only in scheme or port then it is not allowed', async () => {
      for (const origin of ['http://app.example.com', 'https://app.example.com:8443']) {
        expect(corsHeaders(await preflight('/token', origin))).toEqual(refused);
      }
    });

    it.each(['/introspect', '/admin/clients', '/admin/users'])(
      'when %s is preflighted then it is not a CORS endpoint: 404 and no CORS headers',
      async (path) => {
        const result = await preflight(path, APP);

        expect(result.status).toBe(404);
        expect(corsHeaders(result)).toEqual(NONE);
      },
    );
  });

  describe('actual requests', () => {
    it('when a client calls the token endpoint from its own origin then the origin is echoed', async () => {
      const result = await passwordToken(appClient, APP);

      expect(result.status).toBe(200);
      expect(corsHeaders(result)).toEqual(echoed(APP));
    });

    it('when a client calls the token endpoint from another client origin then it is not allowed', async () => {
      const result = await passwordToken(appClient, OTHER);

      expect(result.status).toBe(200);
      expect(corsHeaders(result)).toEqual(refused);
    });

    it('when the request has no Origin then no origin is allowed, and the answer still varies by Origin', async () => {
      const result = await passwordToken(appClient);

      expect(result.status).toBe(200);
      expect(corsHeaders(result)).toEqual(refused);
    });

    it('when a public browser app gets an error from the token endpoint then it can read it', async () => {
      const result = await service.postForm(
        '/token',
        { grant_type: 'refresh_token', refresh_token: 'unknown', client_id: spaClient.client_id },
        { headers: { origin: SPA } },
      );

      expect(result.status).toBe(400);
      expect(result.body.error).toBe('invalid_grant');
      expect(corsHeaders(result)).toEqual(echoed(SPA));
    });

    it('when client authentication fails then only origins some client allows may read the error', async () => {
      const wrongSecret = (origin: string) =>
        service.postForm(
          '/token',
          { grant_type: 'password', username: 'alice', password: PASSWORD },
          { basic: [appClient.client_id, 'wrong'], headers: { origin } },
        );

      const fromKnown = await wrongSecret(OTHER);
      const fromStranger = await wrongSecret(STRANGER);

      expect(fromKnown.status).toBe(401);
      expect(corsHeaders(fromKnown)).toEqual(echoed(OTHER));
      expect(fromStranger.status).toBe(401);
      expect(corsHeaders(fromStranger)).toEqual(refused);
    });

    it('when a client revokes a token from its own origin then the origin is echoed, from another it is not', async () => {
      const token = (await passwordToken(appClient)).body.access_token as string;
      const revoke = (origin: string) =>
        service.postForm(
          '/revoke',
          { token },
          { basic: [appClient.client_id, appClient.client_secret!], headers: { origin } },
        );

      const fromOwn = await revoke(APP);
      const fromOther = await revoke(OTHER);

      expect(fromOwn.status).toBe(200);
      expect(corsHeaders(fromOwn)).toEqual(echoed(APP));
      expect(fromOther.status).toBe(200);
      expect(corsHeaders(fromOther)).toEqual(refused);
    });

    it('when userinfo is called from the origin of the token client then it is echoed, from another client origin it is not', async () => {
      const token = (await passwordToken(appClient)).body.access_token as string;

      const fromOwn = await userinfo(token, APP);
      const fromOther = await userinfo(token, OTHER);

      expect(fromOwn.status).toBe(200);
      expect(corsHeaders(fromOwn)).toEqual(echoed(APP));
      expect(fromOther.status).toBe(200);
      expect(corsHeaders(fromOther)).toEqual(refused);
    });

    it('when userinfo refuses a token for lack of scope then the token client origin can read why', async () => {
      const token = (await passwordToken(appClient, undefined, 'profile')).body
        .access_token as string;

      const result = await userinfo(token, APP);

      expect(result.status).toBe(403);
      expect(corsHeaders(result)).toEqual(echoed(APP));
    });

    it('when userinfo gets an unusable token then only origins some client allows may read the challenge', async () => {
      const fromKnown = await userinfo('not-a-token', OTHER);
      const fromStranger = await userinfo('not-a-token', STRANGER);

      expect(fromKnown.status).toBe(401);
      expect(corsHeaders(fromKnown)).toEqual(echoed(OTHER));
      expect(fromStranger.status).toBe(401);
      expect(corsHeaders(fromStranger)).toEqual(refused);
    });

    it('when introspection or the admin API is called with an Origin then no CORS header is sent', async () => {
      const token = (await passwordToken(appClient)).body.access_token as string;

      const introspection = await service.postForm(
        '/introspect',
        { token },
        { basic: [appClient.client_id, appClient.client_secret!], headers: { origin: APP } },
      );
      const admin = await service.request('GET', '/admin/clients', {
        headers: { authorization: `Bearer ${await service.adminToken()}`, origin: APP },
      });

      expect(introspection.status).toBe(200);
      expect(corsHeaders(introspection)).toEqual(NONE);
      expect(admin.status).toBe(200);
      expect(corsHeaders(admin)).toEqual(NONE);
    });
  });

  describe('when clients change', () => {
    it('when a client adds an origin then the next preflight allows it, and when it is removed or the client deleted then no longer', async () => {
      const origin = 'https://new.example.org';
      const client = await service.createClient({
        grant_types: ['client_credentials'],
        allowed_cors_origins: ['https://first.example.org'],
      });
      expect(corsHeaders(await preflight('/token', origin))).toEqual(refused);

      await service.admin('PATCH', `/admin/clients/${client.client_id}`, {
        allowed_cors_origins: ['https://first.example.org', origin],
      });
      expect(corsHeaders(await preflight('/token', origin))).toEqual(
        preflightAllowed(origin, 'POST'),
      );

      await service.admin('PATCH', `/admin/clients/${client.client_id}`, {
        allowed_cors_origins: ['https://first.example.org'],
      });
      expect(corsHeaders(await preflight('/token', origin))).toEqual(refused);

      await service.admin('DELETE', `/admin/clients/${client.client_id}`);
      expect(corsHeaders(await preflight('/token', 'https://first.example.org'))).toEqual(refused);
    });

    it('when a new client is registered with an origin then the next preflight allows it', async () => {
      const origin = 'https://registered.example.org';
      expect(corsHeaders(await preflight('/userinfo', origin))).toEqual(refused);

      await service.createClient({
        grant_types: ['client_credentials'],
        allowed_cors_origins: [origin],
      });

      expect(corsHeaders(await preflight('/userinfo', origin))).toEqual(
        preflightAllowed(origin, 'GET, POST'),
      );
    });
  });
});
