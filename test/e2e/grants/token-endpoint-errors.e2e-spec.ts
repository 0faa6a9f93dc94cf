import { expectOAuthError } from '../../support/expectations.js';
import {
  basicAuthorization,
  startTestApp,
  type HttpResult,
  type TestApp,
} from '../../support/test-app.js';
import { allGrantRows } from './persisted-grant-rows.js';

const FORM = 'application/x-www-form-urlencoded';

describe('token endpoint errors (RFC 6749 §5.2)', () => {
  let service: TestApp;
  /** Confidential, client_secret_basic, reference access tokens: each token it gets is a row. */
  let basic: { client_id: string; client_secret: string };
  let post: { client_id: string; client_secret: string };
  let pub: { client_id: string };

  beforeAll(async () => {
    service = await startTestApp();
    basic = (await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read write',
      access_token_format: 'reference',
    })) as typeof basic;
    post = (await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'client_secret_post',
      access_token_format: 'reference',
    })) as typeof post;
    // A public client may not have client_credentials or password; refresh_token needs a grant
    // that issues refresh tokens, so the code flow it is.
    pub = await service.createClient({
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['https://app.example/callback'],
    });
  });
  afterAll(() => service.close());

  const basicOf = (client: typeof basic) => ({
    basic: [client.client_id, client.client_secret] as [string, string],
  });

  /** A POST to /token as `basic` with HTTP Basic, for bodies and content types postForm does not send. */
  const rawAsBasic = (contentType: string | undefined, body?: string) =>
    service.request('POST', '/token', {
      headers: {
        ...(contentType === undefined ? {} : { 'content-type': contentType }),
        authorization: basicAuthorization(basic.client_id, basic.client_secret),
      },
      body,
    });

  /** Sends the request and checks it left persisted_grant as it was. */
  async function refused(send: () => Promise<HttpResult>): Promise<HttpResult> {
    const before = await allGrantRows(service.db);
    const result = await send();
    expect(await allGrantRows(service.db)).toEqual(before);
    return result;
  }

  function expectError(
    result: HttpResult,
    status: number,
    error: string,
    description: string,
    challenge = false,
  ): void {
    expectOAuthError(result, status, error, description);
    expect(result.headers.get('www-authenticate')).toBe(
      challenge ? `Basic realm="${service.issuer}"` : null,
    );
  }

  it('when a client asks correctly then it gets a token and one row is written (the control for every refusal below)', async () => {
    const before = await allGrantRows(service.db);
    const result = await service.postForm(
      '/token',
      { grant_type: 'client_credentials', scope: 'read' },
      basicOf(basic),
    );
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read',
    });
    const after = await allGrantRows(service.db);
    expect(after).toHaveLength(before.length + 1);
    expect(after.filter((row) => !before.some((old) => old.id === row.id))).toEqual([
      expect.objectContaining({ type: 'access_token', client_id: basic.client_id }),
    ]);
  });

  it('when the body is JSON then invalid_request names the content type', async () => {
    const result = await refused(() =>
      rawAsBasic('application/json', JSON.stringify({ grant_type: 'client_credentials' })),
    );
    expectError(
      result,
      400,
      'invalid_request',
      'content type must be application/x-www-form-urlencoded',
    );
  });

  it('when the body is broken JSON then invalid_request, not a 500', async () => {
    const result = await refused(() => rawAsBasic('application/json', '{"grant_type":'));
    expectError(result, 400, 'invalid_request', 'the request body could not be parsed');
  });

  it('when the body is text/plain then invalid_request names the content type', async () => {
    const result = await refused(() => rawAsBasic('text/plain', 'grant_type=client_credentials'));
    expectError(
      result,
      400,
      'invalid_request',
      'content type must be application/x-www-form-urlencoded',
    );
  });

  it('when there is no body at all then invalid_request names the content type', async () => {
    const result = await refused(() => rawAsBasic(undefined));
    expectError(
      result,
      400,
      'invalid_request',
      'content type must be application/x-www-form-urlencoded',
    );
  });

  it('when a parameter is repeated then invalid_request names it', async () => {
    const result = await refused(() =>
      rawAsBasic(FORM, 'grant_type=client_credentials&scope=read&scope=write'),
    );
    expectError(result, 400, 'invalid_request', 'parameter scope is repeated');
  });

  it('when grant_type itself is repeated then invalid_request names it', async () => {
    const result = await refused(() =>
      rawAsBasic(FORM, 'grant_type=client_credentials&grant_type=password'),
    );
    expectError(result, 400, 'invalid_request', 'parameter grant_type is repeated');
  });

  it('when the body is larger than 64 KiB then 413 invalid_request', async () => {
    const result = await refused(() =>
      rawAsBasic(FORM, `grant_type=client_credentials&padding=${'a'.repeat(64 * 1024)}`),
    );
    expectError(result, 413, 'invalid_request', 'the request body is too large');
  });

  it('when the body has more than 100 parameters then invalid_request, and 100 are still read', async () => {
    const padding = (count: number) =>
      Array.from({ length: count }, (_, index) => `x${index}=1`).join('&');
    const result = await refused(() =>
      rawAsBasic(FORM, `grant_type=client_credentials&${padding(100)}`),
    );
    expectError(result, 400, 'invalid_request', 'the request has more than 100 parameters');

    const within = await rawAsBasic(FORM, `grant_type=client_credentials&${padding(99)}`);
    expect(within.status).toBe(200);
  });

  it('when HTTP Basic and client_secret in the body are both sent then invalid_request', async () => {
    const result = await refused(() =>
      service.postForm(
        '/token',
        {
          grant_type: 'client_credentials',
          client_id: basic.client_id,
          client_secret: basic.client_secret,
        },
        basicOf(basic),
      ),
    );
    expectError(
      result,
      400,
      'invalid_request',
      'the request uses more than one client authentication method (client_secret_basic, client_secret_post)',
    );
  });

  it('when the request carries no client authentication then invalid_client with 400', async () => {
    const result = await refused(() =>
      service.postForm('/token', { grant_type: 'client_credentials' }),
    );
    expectError(result, 400, 'invalid_client', 'client authentication is required');
  });

  it('when an unknown client uses HTTP Basic then 401 invalid_client with a Basic challenge', async () => {
    const result = await refused(() =>
      service.postForm(
        '/token',
        { grant_type: 'client_credentials' },
        { basic: ['no-such-client', basic.client_secret] },
      ),
    );
    expectError(result, 401, 'invalid_client', 'client authentication failed', true);
  });

  it('when the HTTP Basic secret is wrong then 401 invalid_client with a Basic challenge', async () => {
    const result = await refused(() =>
      service.postForm(
        '/token',
        { grant_type: 'client_credentials' },
        { basic: [basic.client_id, `${basic.client_secret}x`] },
      ),
    );
    expectError(result, 401, 'invalid_client', 'client authentication failed', true);
  });

  it('when the HTTP Basic credentials are malformed then 401 invalid_client with a Basic challenge', async () => {
    const result = await refused(() =>
      service.request('POST', '/token', {
        headers: { 'content-type': FORM, authorization: 'Basic not*base64' },
        body: 'grant_type=client_credentials',
      }),
    );
    expectError(result, 401, 'invalid_client', 'client authentication failed', true);
  });

  it('when an unknown client uses client_secret_post then 400 invalid_client without a challenge', async () => {
    const result = await refused(() =>
      service.postForm('/token', {
        grant_type: 'client_credentials',
        client_id: 'no-such-client',
        client_secret: post.client_secret,
      }),
    );
    expectError(result, 400, 'invalid_client', 'client authentication failed');
  });

  it('when the client_secret_post secret is wrong then 400 invalid_client without a challenge', async () => {
    const result = await refused(() =>
      service.postForm('/token', {
        grant_type: 'client_credentials',
        client_id: post.client_id,
        client_secret: `${post.client_secret}x`,
      }),
    );
    expectError(result, 400, 'invalid_client', 'client authentication failed');
  });

  it('when a client_secret_basic client sends its right secret in the body then 400 invalid_client', async () => {
    const result = await refused(() =>
      service.postForm('/token', {
        grant_type: 'client_credentials',
        client_id: basic.client_id,
        client_secret: basic.client_secret,
      }),
    );
    expectError(result, 400, 'invalid_client', 'client authentication failed');
  });

  it('when a client_secret_post client sends its right secret with HTTP Basic then 401 invalid_client', async () => {
    const result = await refused(() =>
      service.postForm('/token', { grant_type: 'client_credentials' }, basicOf(post)),
    );
    expectError(result, 401, 'invalid_client', 'client authentication failed', true);
  });

  it('when a confidential client sends only its client_id then 400 invalid_client', async () => {
    const result = await refused(() =>
      service.postForm('/token', { grant_type: 'client_credentials', client_id: basic.client_id }),
    );
    expectError(result, 400, 'invalid_client', 'client authentication failed');
  });

  it('when the body client_id differs from the HTTP Basic client then 401 invalid_client with a Basic challenge', async () => {
    const result = await refused(() =>
      service.postForm(
        '/token',
        { grant_type: 'client_credentials', client_id: post.client_id },
        basicOf(basic),
      ),
    );
    expectError(
      result,
      401,
      'invalid_client',
      'client_id does not match the authenticated client',
      true,
    );
  });

  it('when grant_type is missing then invalid_request', async () => {
    const result = await refused(() =>
      service.postForm('/token', { scope: 'read' }, basicOf(basic)),
    );
    expectError(result, 400, 'invalid_request', 'grant_type is required');
  });

  it('when grant_type is sent empty then it counts as missing (RFC 6749 §3.1)', async () => {
    const result = await refused(() =>
      service.postForm('/token', { grant_type: '' }, basicOf(basic)),
    );
    expectError(result, 400, 'invalid_request', 'grant_type is required');
  });

  it('when grant_type is unknown then unsupported_grant_type', async () => {
    const result = await refused(() =>
      service.postForm('/token', { grant_type: 'urn:example:no-such-grant' }, basicOf(basic)),
    );
    expectError(
      result,
      400,
      'unsupported_grant_type',
      `grant_type 'urn:example:no-such-grant' is not supported`,
    );
  });

  it('when the client is not registered for the grant then unauthorized_client', async () => {
    const result = await refused(() =>
      service.postForm(
        '/token',
        { grant_type: 'password', username: 'someone', password: 'secret-password' },
        basicOf(basic),
      ),
    );
    expectError(
      result,
      400,
      'unauthorized_client',
      `the client is not allowed to use grant_type 'password'`,
    );
  });

  it('when a public client is registered with client_credentials then registration is refused', async () => {
    const result = await service.admin('POST', '/admin/clients', {
      token_endpoint_auth_method: 'none',
      grant_types: ['client_credentials'],
    });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      {
        pointer: '/grant_types',
        detail:
          'client_credentials needs a confidential client; a public client has no credentials',
      },
    ]);
  });

  it('when a public client asks for client_credentials then unauthorized_client', async () => {
    const result = await refused(() =>
      service.postForm('/token', { grant_type: 'client_credentials', client_id: pub.client_id }),
    );
    expectError(
      result,
      400,
      'unauthorized_client',
      `the client is not allowed to use grant_type 'client_credentials'`,
    );
  });

  it('when a public client asks for password then unauthorized_client', async () => {
    const result = await refused(() =>
      service.postForm('/token', {
        grant_type: 'password',
        client_id: pub.client_id,
        username: 'someone',
        password: 'secret-password',
      }),
    );
    expectError(
      result,
      400,
      'unauthorized_client',
      `the client is not allowed to use grant_type 'password'`,
    );
  });

  it('when a public client sends a client_secret then 400 invalid_client', async () => {
    const result = await refused(() =>
      service.postForm('/token', {
        grant_type: 'refresh_token',
        client_id: pub.client_id,
        client_secret: 'made-up',
        refresh_token: 'made-up',
      }),
    );
    expectError(result, 400, 'invalid_client', 'client authentication failed');
  });

  it('when an unknown public client_id is sent alone then 400 invalid_client', async () => {
    const result = await refused(() =>
      service.postForm('/token', { grant_type: 'refresh_token', client_id: 'no-such-client' }),
    );
    expectError(result, 400, 'invalid_client', 'client authentication failed');
  });

  it('when the scope goes beyond the client registration then invalid_scope names what was refused', async () => {
    const result = await refused(() =>
      service.postForm(
        '/token',
        { grant_type: 'client_credentials', scope: 'read admin delete' },
        basicOf(basic),
      ),
    );
    expectError(result, 400, 'invalid_scope', 'scope not allowed: admin delete');
  });

  it('when client authentication fails then it is reported before a bad grant_type', async () => {
    const result = await refused(() =>
      service.postForm(
        '/token',
        { grant_type: 'urn:example:no-such-grant' },
        { basic: [basic.client_id, 'wrong'] },
      ),
    );
    expectError(result, 401, 'invalid_client', 'client authentication failed', true);
  });

  it('when /token is fetched with GET then it is a client error, not a 500', async () => {
    const result = await service.request('GET', '/token');
    expect({ status: result.status, body: result.body }).toEqual({
      status: 404,
      body: { error: 'not_found', error_description: 'no such endpoint' },
    });
    expect(result.headers.get('cache-control')).toBe('no-store');
  });
});
