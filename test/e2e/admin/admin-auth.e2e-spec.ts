import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import {
  expectProblem,
  expectRevokedJwt,
  JSON_CONTENT_TYPE,
  handleKey,
  withoutWrites,
} from '../../support/expectations.js';
import {
  ADMIN_CLIENT_ID,
  ADMIN_CLIENT_SECRET,
  basicAuthorization,
  startTestApp,
  type TestApp,
} from '../../support/test-app.js';

const BARE_CHALLENGE = 'Bearer realm="admin"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="admin", error="invalid_token"';
const NO_TOKEN = { detail: 'a bearer access token is required in the Authorization header' };
const BAD_TOKEN = { detail: 'the access token is invalid or expired' };

describe('admin API authentication (RFC 6750) and its OpenAPI document', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp();
  });
  afterAll(() => service.close());

  const withBearer = (token: string, method = 'GET', path = '/admin/clients') =>
    service.request(method, path, { headers: { authorization: `Bearer ${token}` } });

  /** A client_credentials client of its own with the given scopes, and a token for `scope`. */
  async function clientWithToken(metadata: Record<string, unknown>, scope: string) {
    const client = await service.createClient({ grant_types: ['client_credentials'], ...metadata });
    const result = await service.postForm(
      '/token',
      { grant_type: 'client_credentials', scope },
      { basic: [client.client_id, client.client_secret!] },
    );
    expect(result.status).toBe(200);
    return { client, token: result.body.access_token as string };
  }

  it('when no token is sent then 401 problem with a bare Bearer challenge', async () => {
    const result = await service.request('GET', '/admin/clients');

    expectProblem(result, 401, NO_TOKEN);
    expect(result.headers.get('www-authenticate')).toBe(BARE_CHALLENGE);
  });

  it('when a valid admin token comes in the query string instead of the header then 401', async () => {
    const token = await service.adminToken();
    const result = await service.request('GET', `/admin/clients?access_token=${token}`);

    expectProblem(result, 401, NO_TOKEN);
    expect(result.headers.get('www-authenticate')).toBe(BARE_CHALLENGE);
  });

  it('when the admin client presents its Basic credentials instead of a token then 401 with a bare challenge', async () => {
    const result = await service.request('GET', '/admin/clients', {
      headers: { authorization: basicAuthorization(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET) },
    });

    expectProblem(result, 401, NO_TOKEN);
    expect(result.headers.get('www-authenticate')).toBe(BARE_CHALLENGE);
  });

  it('when the token is garbage then 401 with error="invalid_token"', async () => {
    const result = await withBearer('not-a-token-of-this-service');

    expectProblem(result, 401, BAD_TOKEN);
    expect(result.headers.get('www-authenticate')).toBe(INVALID_TOKEN_CHALLENGE);
  });

  it('when the scheme is spelled in lower case then the token is accepted (RFC 7235 §2.1)', async () => {
    const result = await service.request('GET', '/admin/clients', {
      headers: { authorization: `bearer ${await service.adminToken()}` },
    });

    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
  });

  it('when a JWT claiming admin is signed by a key not of this service then 401 invalid_token', async () => {
    const genuine = decodeJwt(await service.adminToken());
    const jwks = (await service.request('GET', '/jwks')).body as { keys: { kid: string }[] };
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ ...genuine, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: jwks.keys[0]!.kid })
      .sign(privateKey);

    const result = await withBearer(forged);

    expectProblem(result, 401, BAD_TOKEN);
    expect(result.headers.get('www-authenticate')).toBe(INVALID_TOKEN_CHALLENGE);
  });

  it('when an unsigned JWT (alg none) claiming admin is presented then 401 invalid_token', async () => {
    const genuine = decodeJwt(await service.adminToken());
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(genuine)}.`;

    const result = await withBearer(unsigned);

    expectProblem(result, 401, BAD_TOKEN);
    expect(result.headers.get('www-authenticate')).toBe(INVALID_TOKEN_CHALLENGE);
  });

  it('when the token of a client without scope admin is presented then 403 insufficient_scope', async () => {
    const { token } = await clientWithToken({ scope: 'read' }, 'read');

    const result = await withBearer(token);

    expectProblem(result, 403, { detail: 'the access token lacks scope "admin"' });
    expect(result.headers.get('www-authenticate')).toBe(
      'Bearer realm="admin", error="insufficient_scope", scope="admin"',
    );
  });

  it('when a client allowed admin asks for a token without it then the token gets 403', async () => {
    const { token } = await clientWithToken({ scope: 'admin read' }, 'read');

    const result = await withBearer(token, 'GET', '/admin/keys');

    expectProblem(result, 403, { detail: 'the access token lacks scope "admin"' });
  });

  it('when a write is refused for lack of scope admin then nothing is written', async () => {
    const { token } = await clientWithToken({ scope: 'read' }, 'read');

    const result = await withoutWrites(service.db, () =>
      service.request('POST', '/admin/clients', {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'sneaky', grant_types: ['client_credentials'] }),
      }),
    );

    expectProblem(result, 403, { detail: 'the access token lacks scope "admin"' });
  });

  it('when a write is sent without a token then 401 and nothing is written', async () => {
    const result = await withoutWrites(service.db, () =>
      service.request('POST', '/admin/keys/rotate', {
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );

    expectProblem(result, 401, NO_TOKEN);
  });

  it('when the client of an admin token is deleted then its token gets 401', async () => {
    const { client, token } = await clientWithToken({ scope: 'admin' }, 'admin');
    expect((await withBearer(token)).status).toBe(200);

    expect((await service.admin('DELETE', `/admin/clients/${client.client_id}`)).status).toBe(204);
    const result = await withBearer(token);

    expectProblem(result, 401, BAD_TOKEN);
    expect(result.headers.get('www-authenticate')).toBe(INVALID_TOKEN_CHALLENGE);
  });

  it('when an admin JWT is revoked then it gets 401 and its jti is recorded as revoked', async () => {
    const { client, token } = await clientWithToken({ scope: 'admin' }, 'admin');
    expect((await withBearer(token)).status).toBe(200);

    const revoked = await service.postForm(
      '/revoke',
      { token },
      { basic: [client.client_id, client.client_secret!] },
    );
    expect(revoked.status).toBe(200);
    const result = await withBearer(token);

    expectProblem(result, 401, BAD_TOKEN);
    await expectRevokedJwt(service.db, token, client.client_id);
  });

  it('when a reference token with scope admin is presented then it is accepted until its row expires', async () => {
    const { token } = await clientWithToken(
      { scope: 'admin', access_token_format: 'reference' },
      'admin',
    );
    expect(token).not.toContain('.');
    expect((await withBearer(token, 'GET', '/admin/keys')).status).toBe(200);

    await service.db.query('UPDATE persisted_grant SET expires_at = $1 WHERE handle_hash = $2', [
      1000,
      handleKey(token),
    ]);
    const result = await withBearer(token, 'GET', '/admin/keys');

    expectProblem(result, 401, BAD_TOKEN);
    await service.db.query('DELETE FROM persisted_grant WHERE handle_hash = $1', [
      handleKey(token),
    ]);
  });

  describe('GET /admin/openapi.json', () => {
    it('when it is fetched without a token then it is an OpenAPI 3.1 document of the contract paths', async () => {
      const result = await service.request('GET', '/admin/openapi.json');

      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
      const document = result.body as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
        servers: { url: string }[];
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(document.openapi).toBe('3.1.0');
      expect(document.servers).toEqual([{ url: service.issuer }]);
      expect(document.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      const operations = Object.fromEntries(
        Object.entries(document.paths).map(([path, item]) => [
          path,
          Object.keys(item)
            .filter((key) => key !== 'parameters')
            .sort(),
        ]),
      );
      expect(operations).toEqual({
        '/admin/clients': ['get', 'post'],
        '/admin/clients/{client_id}': ['delete', 'get', 'patch', 'put'],
        '/admin/clients/{client_id}/secret': ['post'],
        '/admin/users': ['get', 'post'],
        '/admin/users/{id}': ['delete', 'get', 'patch'],
        '/admin/users/{id}/consents': ['get'],
        '/admin/users/{id}/consents/{client_id}': ['delete'],
        '/admin/keys': ['get'],
        '/admin/keys/rotate': ['post'],
        '/admin/trusted-issuers': ['get', 'post'],
        '/admin/trusted-issuers/{id}': ['delete'],
      });
    });

    it('when its schema references are followed then each resolves, and the client schema names the contract fields', async () => {
      const document = (await service.request('GET', '/admin/openapi.json')).body as {
        components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
      };
      const references = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map(
        (match) => match[1]!,
      );
      expect(references.length).toBeGreaterThan(0);
      for (const reference of new Set(references)) {
        const name = reference.replace('#/components/schemas/', '');
        expect(document.components.schemas[name], reference).toBeDefined();
      }
      const fields = Object.keys(document.components.schemas.ClientMetadataDto!.properties!);
      expect(fields).toEqual(
        expect.arrayContaining([
          'client_id',
          'client_name',
          'application_type',
          'grant_types',
          'response_types',
          'redirect_uris',
          'post_logout_redirect_uris',
          'scope',
          'token_endpoint_auth_method',
          'jwks',
          'jwks_uri',
          'access_token_format',
          'access_token_signed_response_alg',
          'access_token_ttl',
          'refresh_token_ttl',
          'refresh_token_expiration',
          'refresh_token_usage',
          'require_pkce',
          'require_consent',
          'allowed_cors_origins',
        ]),
      );
      const userFields = Object.keys(document.components.schemas.CreateUserDto!.properties!);
      expect(userFields).toEqual(expect.arrayContaining(['username', 'password', 'email']));
    });
  });
});
