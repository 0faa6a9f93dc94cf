import {
  expectOAuthError,
  expectProblem,
  JSON_CONTENT_TYPE,
  sha256,
  snapshot,
  withoutWrites,
} from '../../support/expectations.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';

type Body = Record<string, any>;

/** What every client gets when a field is not given (CONTRACT.md, client-metadata.ts). */
const DEFAULTS = {
  application_type: 'web',
  redirect_uris: [],
  post_logout_redirect_uris: [],
  scope: '',
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: 'RS256',
  require_auth_time: false,
  access_token_format: 'jwt',
  access_token_ttl: 3600,
  refresh_token_ttl: 2592000,
  refresh_token_expiration: 'absolute',
  refresh_token_usage: 'one_time',
  require_pkce: true,
  require_consent: true,
  allowed_cors_origins: [],
};

const HYBRID_CLIENT = {
  client_name: 'Portal',
  grant_types: ['authorization_code', 'implicit'],
  response_types: ['code id_token'],
  redirect_uris: ['https://portal.example.com/callback'],
  scope: 'openid profile',
};

const SPA_CLIENT = {
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  redirect_uris: ['https://spa.example.com/callback'],
};

const INVALID = 'invalid client metadata';
const MIXED = (families: string) =>
  `mixes the ${families} families: a client uses one front-channel flow, so that a code flow cannot be downgraded to one that puts tokens in the browser`;
const REFRESH_NEEDS_ISSUER =
  'refresh_token needs a grant that issues refresh tokens (authorization_code, password, ...); implicit and client_credentials never do';
const NOT_ORIGIN = (origin: string) =>
  `"${origin}" is not an origin (scheme://host[:port], no path or trailing slash)`;
const field = (pointer: string, ...details: unknown[]) =>
  details.map((detail) => ({ pointer, detail }));

describe('admin API: /admin/clients (RFC 7591 metadata)', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp();
  });
  afterAll(() => service.close());

  const clientRow = async (clientId: string) =>
    (
      await service.db.query<{ secret_hash: string | null; metadata: string }>(
        'SELECT secret_hash, metadata FROM client WHERE client_id = $1',
        [clientId],
      )
    )[0];
  const tokenWith = (clientId: string, secret: string) =>
    service.postForm('/token', { grant_type: 'client_credentials' }, { basic: [clientId, secret] });
  const postRaw = async (body: string, path = '/admin/clients', method = 'POST') =>
    service.request(method, path, {
      headers: {
        authorization: `Bearer ${await service.adminToken()}`,
        'content-type': 'application/json',
      },
      body,
    });

  describe('POST /admin/clients', () => {
    it('when a confidential client is created then 201 with its metadata and a secret shown this once, stored only as its SHA-256', async () => {
      const result = await service.admin('POST', '/admin/clients', {
        client_id: 'billing-service',
        client_name: 'Billing',
        grant_types: ['client_credentials'],
        scope: 'invoices:read invoices:write',
      });

      expect(result.status).toBe(201);
      expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
      expect(result.headers.get('cache-control')).toBe('no-store');
      const secret = result.body.client_secret as string;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(result.body).toEqual({
        ...DEFAULTS,
        client_id: 'billing-service',
        client_id_issued_at: expect.any(Number),
        client_secret: secret,
        client_secret_expires_at: 0,
        client_name: 'Billing',
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'invoices:read invoices:write',
      });
      expect(Math.abs(result.body.client_id_issued_at - Date.now() / 1000)).toBeLessThan(600);

      const row = await clientRow('billing-service');
      expect(row!.secret_hash).toBe(sha256(secret));
      expect(row!.secret_hash).not.toBe(secret);
      expect(JSON.stringify(row)).not.toContain(secret);
      expect((await tokenWith('billing-service', secret)).status).toBe(200);
    });

    it('when the client is read back or listed then its secret is never shown', async () => {
      const created = await service.createClient({
        client_id: 'never-shown',
        grant_types: ['client_credentials'],
      });

      const one = await service.admin('GET', '/admin/clients/never-shown');
      const list = await service.admin('GET', '/admin/clients?limit=200');

      expect(one.status).toBe(200);
      expect(one.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
      const { client_secret: secret, client_secret_expires_at: _expiry, ...stored } = created;
      expect(one.body).toEqual(stored);
      expect(one.body).not.toHaveProperty('client_secret');
      const listed = (list.body.items as Body[]).find((item) => item.client_id === 'never-shown');
      expect(listed).toEqual(stored);
      expect(JSON.stringify(list.body)).not.toContain(secret);
      expect(JSON.stringify(one.body)).not.toContain(secret);
    });

    it('when no client_id is given then one is generated, unique per client', async () => {
      const first = await service.createClient({ grant_types: ['client_credentials'] });
      const second = await service.createClient({ grant_types: ['client_credentials'] });

      expect(first.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(second.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(first.client_id).not.toBe(second.client_id);
      expect(first.client_secret).not.toBe(second.client_secret);
    });

    it('when the client_id is taken then 409 and nothing is written', async () => {
      await service.createClient({ client_id: 'taken', grant_types: ['client_credentials'] });

      const result = await withoutWrites(service.db, () =>
        service.admin('POST', '/admin/clients', {
          client_id: 'taken',
          grant_types: ['client_credentials'],
          client_name: 'Impostor',
        }),
      );

      expectProblem(result, 409, { detail: 'a client "taken" already exists' });
    });

    it('when a realistic hybrid client is registered then it is accepted with its response type', async () => {
      const result = await service.admin('POST', '/admin/clients', HYBRID_CLIENT);

      expect(result.status).toBe(201);
      expect(result.body).toEqual({
        ...DEFAULTS,
        ...HYBRID_CLIENT,
        client_id: expect.any(String),
        client_id_issued_at: expect.any(Number),
        client_secret: expect.any(String),
        client_secret_expires_at: 0,
      });
    });

    it('when a response type is spelled in another word order then it is stored in canonical order', async () => {
      const created = await service.createClient({
        ...HYBRID_CLIENT,
        response_types: ['id_token  code'],
      });

      expect(created.response_types).toEqual(['code id_token']);
    });

    it('when a public client is registered then it gets no secret and none is stored', async () => {
      const created = await service.createClient(SPA_CLIENT);

      expect(created).not.toHaveProperty('client_secret');
      expect(created).not.toHaveProperty('client_secret_expires_at');
      expect(created).toMatchObject({
        ...SPA_CLIENT,
        response_types: ['code'],
        require_pkce: true,
      });
      expect((await clientRow(created.client_id))!.secret_hash).toBeNull();
    });

    it.each(
      [
        {
          case: 'a native app uses an http loopback and a private-use scheme redirect URI',
          metadata: {
            application_type: 'native',
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'],
            redirect_uris: ['http://127.0.0.1:51004/callback', 'com.example.app:/oauth2redirect'],
          },
        },
        {
          case: 'a web client of the code flow uses an http loopback redirect URI',
          metadata: { redirect_uris: ['http://localhost:8080/callback'] },
        },
        {
          case: 'a web client of the implicit flow uses https',
          metadata: {
            grant_types: ['implicit'],
            response_types: ['id_token token'],
            redirect_uris: ['https://app.example.com/callback'],
          },
        },
        {
          case: 'a client gives its allowed CORS origins and an https jwks_uri',
          metadata: {
            grant_types: ['client_credentials'],
            allowed_cors_origins: ['https://app.example.com', 'http://localhost:3000'],
            jwks_uri: 'https://app.example.com/jwks.json',
          },
        },
        {
          case: 'a confidential client uses password and refresh_token',
          metadata: { grant_types: ['password', 'refresh_token'], scope: 'read' },
        },
      ].map((example) => [example.case, example] as const),
    )('when %s then it is accepted', async (_case, { metadata }) => {
      const result = await service.admin('POST', '/admin/clients', metadata);

      expect(result.status).toBe(201);
      expect(result.body).toMatchObject(metadata);
    });

    it('when a field is given as null then it takes its default, as it does in a PATCH', async () => {
      const created = await service.createClient({
        grant_types: ['client_credentials'],
        client_name: null,
        access_token_ttl: null,
        access_token_format: null,
      });

      expect(created).not.toHaveProperty('client_name');
      expect(created).toMatchObject({ access_token_ttl: 3600, access_token_format: 'jwt' });
      const stored = JSON.parse((await clientRow(created.client_id))!.metadata);
      expect(stored).toMatchObject({ access_token_ttl: 3600, access_token_format: 'jwt' });
      expect(stored).not.toHaveProperty('client_name');
    });
  });

  describe('validation', () => {
    it('when the body is not valid JSON then 400 and nothing is written', async () => {
      const result = await withoutWrites(service.db, () => postRaw('{"grant_types": ['));

      expectProblem(result, 400, { detail: expect.stringMatching(/JSON/) });
    });

    it.each([
      { case: 'an array', body: '[{"grant_types":["client_credentials"]}]' },
      { case: 'a string', body: '"client_credentials"' },
      { case: 'a number', body: '42' },
      { case: 'null', body: 'null' },
    ])('when the body is $case then 400 and nothing is written', async ({ body }) => {
      const result = await withoutWrites(service.db, () => postRaw(body));

      expectProblem(result, 400, { detail: 'the body must be a JSON object of client metadata' });
    });

    const longUri = `https://app.example.com/${'a'.repeat(2000)}`;
    it.each(
      [
        {
          case: 'an unknown field is sent',
          metadata: { grant_types: ['client_credentials'], colour: 'blue' },
          errors: field('/colour', 'is not a known field'),
        },
        {
          case: 'a client_secret is chosen by the caller',
          metadata: { grant_types: ['client_credentials'], client_secret: 'my-own-secret' },
          errors: field('/client_secret', 'is not a known field'),
        },
        {
          case: 'grant_types is a string',
          metadata: { grant_types: 'client_credentials' },
          errors: field(
            '/grant_types',
            'grant_types must contain no more than 20 elements',
            'grant_types must be an array',
          ),
        },
        {
          case: 'client_name is a number',
          metadata: { grant_types: ['client_credentials'], client_name: 42 },
          errors: field(
            '/client_name',
            'client_name must be shorter than or equal to 200 characters',
            'client_name must be longer than or equal to 1 characters',
            'client_name must be a string',
          ),
        },
        {
          case: 'require_pkce is a string',
          metadata: { grant_types: ['client_credentials'], require_pkce: 'yes' },
          errors: field('/require_pkce', 'require_pkce must be a boolean value'),
        },
        {
          case: 'access_token_ttl is a string',
          metadata: { grant_types: ['client_credentials'], access_token_ttl: '3600' },
          errors: field(
            '/access_token_ttl',
            'access_token_ttl must not be greater than 86400',
            'access_token_ttl must not be less than 60',
            'access_token_ttl must be an integer number',
          ),
        },
        {
          case: 'access_token_ttl is below a minute',
          metadata: { grant_types: ['client_credentials'], access_token_ttl: 30 },
          errors: field('/access_token_ttl', 'access_token_ttl must not be less than 60'),
        },
        {
          case: 'a redirect URI is a number',
          metadata: { redirect_uris: [42] },
          errors: field(
            '/redirect_uris',
            'each value in redirect_uris must be shorter than or equal to 2000 characters',
            'each value in redirect_uris must be a string',
          ),
        },
        {
          case: 'jwks is an array',
          metadata: { grant_types: ['client_credentials'], jwks: [] },
          errors: field('/jwks', 'jwks must be an object'),
        },
        {
          case: 'a contact is not an e-mail address',
          metadata: { grant_types: ['client_credentials'], contacts: ['not-an-address'] },
          errors: field('/contacts', 'each value in contacts must be an email'),
        },
        {
          case: 'access_token_format is unknown',
          metadata: { grant_types: ['client_credentials'], access_token_format: 'opaque' },
          errors: field(
            '/access_token_format',
            'access_token_format must be one of the following values: jwt, reference',
          ),
        },
        {
          case: 'id_token_signed_response_alg is none',
          metadata: { grant_types: ['client_credentials'], id_token_signed_response_alg: 'none' },
          errors: field(
            '/id_token_signed_response_alg',
            'id_token_signed_response_alg must be one of the following values: RS256, ES256',
          ),
        },
        {
          case: 'access_token_signed_response_alg is a symmetric algorithm',
          metadata: {
            grant_types: ['client_credentials'],
            access_token_signed_response_alg: 'HS256',
          },
          errors: field(
            '/access_token_signed_response_alg',
            'access_token_signed_response_alg must be one of the following values: ES256, RS256, PS256, EdDSA',
          ),
        },
        {
          case: 'the client_id has a space',
          metadata: { client_id: 'my client', grant_types: ['client_credentials'] },
          errors: field('/client_id', 'must be 1 to 255 characters of A-Z a-z 0-9 . _ ~ -'),
        },
        {
          case: 'the client_id is longer than 255 characters',
          metadata: { client_id: 'c'.repeat(256), grant_types: ['client_credentials'] },
          errors: field('/client_id', 'must be 1 to 255 characters of A-Z a-z 0-9 . _ ~ -'),
        },
        {
          case: 'client_name is longer than 200 characters',
          metadata: { grant_types: ['client_credentials'], client_name: 'n'.repeat(201) },
          errors: field(
            '/client_name',
            'client_name must be shorter than or equal to 200 characters',
          ),
        },
        {
          case: 'a redirect URI is longer than 2000 characters',
          metadata: { redirect_uris: [longUri] },
          errors: field(
            '/redirect_uris',
            'each value in redirect_uris must be shorter than or equal to 2000 characters',
          ),
        },
        {
          case: 'scope is longer than 2000 characters',
          metadata: { grant_types: ['client_credentials'], scope: 's'.repeat(2001) },
          errors: field('/scope', 'scope must be shorter than or equal to 2000 characters'),
        },
        {
          case: 'scope has a character outside RFC 6749 §3.3',
          metadata: { grant_types: ['client_credentials'], scope: 'read "write"' },
          errors: field('/scope', 'must be space-separated scope tokens (RFC 6749 §3.3)'),
        },
        {
          case: 'a redirect URI is relative',
          metadata: { redirect_uris: ['/callback'] },
          errors: field('/redirect_uris', '"/callback" is not an absolute URI'),
        },
        {
          case: 'a redirect URI has a fragment',
          metadata: { redirect_uris: ['https://app.example.com/callback#state'] },
          errors: field(
            '/redirect_uris',
            '"https://app.example.com/callback#state" must not have a fragment',
          ),
        },
        {
          case: 'a web client uses http off the loopback interface',
          metadata: { redirect_uris: ['http://app.example.com/callback'] },
          errors: field(
            '/redirect_uris',
            '"http://app.example.com/callback": http is only allowed for loopback hosts; use https',
          ),
        },
        {
          case: 'a web client uses a private-use scheme',
          metadata: { redirect_uris: ['com.example.app:/callback'] },
          errors: field(
            '/redirect_uris',
            '"com.example.app:/callback": web clients must use https redirect URIs',
          ),
        },
        {
          case: 'a redirect URI uses the javascript scheme',
          metadata: { application_type: 'native', redirect_uris: ['javascript:alert(1)'] },
          errors: field('/redirect_uris', '"javascript:alert(1)" uses a forbidden scheme'),
        },
        {
          case: 'a web client of the implicit flow uses http',
          metadata: {
            grant_types: ['implicit'],
            response_types: ['id_token'],
            redirect_uris: ['http://127.0.0.1/callback'],
          },
          errors: field(
            '/redirect_uris',
            '"http://127.0.0.1/callback": web clients of implicit or hybrid flows must use https and not a loopback host',
          ),
        },
        {
          case: 'a web client of the implicit flow uses https on localhost',
          metadata: {
            grant_types: ['implicit'],
            response_types: ['id_token'],
            redirect_uris: ['https://localhost/callback'],
          },
          errors: field(
            '/redirect_uris',
            '"https://localhost/callback": web clients of implicit or hybrid flows must use https and not a loopback host',
          ),
        },
        {
          case: 'a web client of the hybrid flow uses http on localhost',
          metadata: { ...HYBRID_CLIENT, redirect_uris: ['http://localhost:8080/callback'] },
          errors: field(
            '/redirect_uris',
            '"http://localhost:8080/callback": web clients of implicit or hybrid flows must use https and not a loopback host',
          ),
        },
        {
          case: 'a native client uses http off the loopback interface',
          metadata: {
            application_type: 'native',
            token_endpoint_auth_method: 'none',
            redirect_uris: ['http://app.example.com/callback'],
          },
          errors: field(
            '/redirect_uris',
            '"http://app.example.com/callback": native clients may use http only with a loopback host',
          ),
        },
        {
          case: 'a post-logout redirect URI has a fragment',
          metadata: {
            redirect_uris: ['https://app.example.com/callback'],
            post_logout_redirect_uris: ['https://app.example.com/bye#now'],
          },
          errors: field(
            '/post_logout_redirect_uris',
            '"https://app.example.com/bye#now" must not have a fragment',
          ),
        },
        {
          case: 'the code flow has no redirect URI',
          metadata: { grant_types: ['authorization_code'] },
          errors: field(
            '/redirect_uris',
            'at least one is required for authorization_code and implicit',
          ),
        },
        {
          case: 'the code and implicit response types are mixed',
          metadata: { ...HYBRID_CLIENT, response_types: ['code', 'id_token'] },
          errors: field('/response_types', MIXED('code and implicit')),
        },
        {
          case: 'the code and hybrid response types are mixed',
          metadata: { ...HYBRID_CLIENT, response_types: ['code', 'code id_token'] },
          errors: field('/response_types', MIXED('code and hybrid')),
        },
        {
          case: 'the implicit grant comes with the code response type',
          metadata: { ...HYBRID_CLIENT, response_types: ['code'] },
          errors: field(
            '/grant_types',
            'implicit is not used by the code response type; remove it',
          ),
        },
        {
          case: 'the authorization_code grant comes with an implicit response type',
          metadata: { ...HYBRID_CLIENT, response_types: ['id_token token'] },
          errors: field(
            '/grant_types',
            'authorization_code is not used by implicit response types; remove it',
          ),
        },
        {
          case: 'a hybrid response type comes without the implicit grant',
          metadata: { ...HYBRID_CLIENT, grant_types: ['authorization_code'] },
          errors: field('/grant_types', 'response types of the hybrid family need implicit'),
        },
        {
          case: 'a response type is not one',
          metadata: { ...HYBRID_CLIENT, response_types: ['code magic'] },
          errors: field('/response_types', '"code magic" is not a response type'),
        },
        {
          case: 'a public client asks for client_credentials',
          metadata: { token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] },
          errors: field(
            '/grant_types',
            'client_credentials needs a confidential client; a public client has no credentials',
          ),
        },
        {
          case: 'a public client asks for password',
          metadata: { ...SPA_CLIENT, grant_types: ['authorization_code', 'password'] },
          errors: field('/grant_types', 'password is not allowed for a public client'),
        },
        {
          case: 'a public client turns PKCE off',
          metadata: { ...SPA_CLIENT, require_pkce: false },
          errors: field('/require_pkce', 'is always true for public clients'),
        },
        {
          case: 'refresh_token comes with client_credentials only',
          metadata: { grant_types: ['client_credentials', 'refresh_token'] },
          errors: field('/grant_types', REFRESH_NEEDS_ISSUER),
        },
        {
          case: 'refresh_token comes with implicit only',
          metadata: {
            grant_types: ['implicit', 'refresh_token'],
            response_types: ['id_token token'],
            redirect_uris: ['https://app.example.com/callback'],
          },
          errors: field('/grant_types', REFRESH_NEEDS_ISSUER),
        },
        {
          case: 'the grant type is not supported',
          metadata: { grant_types: ['urn:example:grant-type:magic'] },
          errors: field('/grant_types', '"urn:example:grant-type:magic" is not supported'),
        },
        {
          case: 'the token endpoint authentication method is not supported',
          metadata: {
            grant_types: ['client_credentials'],
            token_endpoint_auth_method: 'magic_link',
          },
          errors: field(
            '/token_endpoint_auth_method',
            expect.stringMatching(
              /^"magic_link" is not supported; use one of client_secret_basic, client_secret_post, none/,
            ),
          ),
        },
        {
          case: 'jwks and jwks_uri are both given',
          metadata: {
            grant_types: ['client_credentials'],
            jwks: { keys: [] },
            jwks_uri: 'https://app.example.com/jwks.json',
          },
          errors: field('/jwks', 'jwks and jwks_uri are mutually exclusive'),
        },
        {
          case: 'jwks is not a JWK Set',
          metadata: { grant_types: ['client_credentials'], jwks: { kty: 'EC' } },
          errors: field('/jwks', 'must be a JWK Set: an object with a "keys" array'),
        },
        {
          case: 'jwks_uri is plain http off the loopback interface',
          metadata: {
            grant_types: ['client_credentials'],
            jwks_uri: 'http://app.example.com/jwks',
          },
          errors: field('/jwks_uri', '"http://app.example.com/jwks" must be an https URL'),
        },
        {
          case: 'an allowed CORS origin has a path',
          metadata: {
            grant_types: ['client_credentials'],
            allowed_cors_origins: ['https://app.example.com/'],
          },
          errors: field('/allowed_cors_origins', NOT_ORIGIN('https://app.example.com/')),
        },
        {
          case: 'an allowed CORS origin is a wildcard',
          metadata: { grant_types: ['client_credentials'], allowed_cors_origins: ['*'] },
          errors: field('/allowed_cors_origins', NOT_ORIGIN('*')),
        },
        {
          case: 'an allowed CORS origin is not http or https',
          metadata: {
            grant_types: ['client_credentials'],
            allowed_cors_origins: ['ftp://files.example.com'],
          },
          errors: field('/allowed_cors_origins', NOT_ORIGIN('ftp://files.example.com')),
        },
      ].map((example) => [example.case, example] as const),
    )(
      'when %s then 400 naming the field and nothing is written',
      async (_case, { metadata, errors }) => {
        const result = await withoutWrites(service.db, () =>
          service.admin('POST', '/admin/clients', { client_id: 'refused', ...metadata }),
        );

        expectProblem(result, 400, { detail: INVALID, errors });
      },
    );
  });

  describe('GET /admin/clients (pagination)', () => {
    it('when every page is walked with a small limit then each client appears exactly once', async () => {
      for (let index = 0; index < 7; index++) {
        await service.createClient({
          client_id: `page-${index}`,
          grant_types: ['client_credentials'],
        });
      }
      const stored = (
        await service.db.query<{ client_id: string }>('SELECT client_id FROM client')
      ).map((row) => row.client_id);

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const query = cursor === undefined ? '?limit=2' : `?limit=2&cursor=${cursor}`;
        const result = await service.admin('GET', `/admin/clients${query}`);
        expect(result.status).toBe(200);
        expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
        expect(result.body.items.length).toBeLessThanOrEqual(2);
        expect(result.body.items.length).toBeGreaterThan(0);
        seen.push(...result.body.items.map((item: Body) => item.client_id));
        cursor = result.body.next_cursor;
        pages++;
      } while (cursor !== undefined && pages < 100);

      expect(cursor).toBeUndefined();
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...stored].sort());
      expect(pages).toBe(Math.ceil(stored.length / 2));
    });

    it('when no limit is given then up to 50 come on one page without a next cursor', async () => {
      const count = (await service.db.query('SELECT client_id FROM client')).length;

      const result = await service.admin('GET', '/admin/clients');

      expect(result.status).toBe(200);
      expect(count).toBeLessThan(50);
      expect(result.body.items).toHaveLength(count);
      expect(result.body).not.toHaveProperty('next_cursor');
    });

    it('when the cursor is not one this service made then 400', async () => {
      const result = await service.admin('GET', '/admin/clients?cursor=%21%21not-a-cursor');

      expectProblem(result, 400, { detail: 'cursor is not valid' });
    });

    it.each([
      { limit: '201', detail: 'limit must not be greater than 200' },
      { limit: '0', detail: 'limit must not be less than 1' },
    ])('when the limit is $limit then 400 naming limit', async ({ limit, detail }) => {
      const result = await service.admin('GET', `/admin/clients?limit=${limit}`);

      expectProblem(result, 400, {
        detail: 'invalid request body',
        errors: field('/limit', detail),
      });
    });

    it('when an unknown query parameter is given then 400 naming it', async () => {
      const result = await service.admin('GET', '/admin/clients?sort=name');

      expectProblem(result, 400, {
        detail: 'invalid request body',
        errors: field('/sort', 'is not a known field'),
      });
    });
  });

  describe('GET, PUT, PATCH and DELETE /admin/clients/{client_id}', () => {
    it('when an unknown client is asked for then 404', async () => {
      const result = await service.admin('GET', '/admin/clients/nobody');

      expectProblem(result, 404, { detail: 'no client "nobody"' });
    });

    it('when a client is replaced then fields not given return to their defaults and the secret stays', async () => {
      const created = await service.createClient({
        client_id: 'to-replace',
        client_name: 'Before',
        grant_types: ['client_credentials'],
        scope: 'a b',
        access_token_ttl: 600,
        access_token_format: 'reference',
      });

      const result = await service.admin('PUT', '/admin/clients/to-replace', {
        client_name: 'After',
        grant_types: ['client_credentials'],
        scope: 'c',
      });

      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
      expect(result.body).toEqual({
        ...DEFAULTS,
        client_id: 'to-replace',
        client_id_issued_at: created.client_id_issued_at,
        client_name: 'After',
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'c',
      });
      expect((await clientRow('to-replace'))!.secret_hash).toBe(sha256(created.client_secret!));
      expect((await tokenWith('to-replace', created.client_secret!)).status).toBe(200);
      expect((await service.admin('GET', '/admin/clients/to-replace')).body).toEqual(result.body);
    });

    it('when a replacement is invalid then 400 and the client is unchanged', async () => {
      await service.createClient({ client_id: 'keep-me', grant_types: ['client_credentials'] });

      const result = await withoutWrites(service.db, () =>
        service.admin('PUT', '/admin/clients/keep-me', {
          token_endpoint_auth_method: 'none',
          grant_types: ['client_credentials'],
        }),
      );

      expectProblem(result, 400, {
        detail: INVALID,
        errors: field(
          '/grant_types',
          'client_credentials needs a confidential client; a public client has no credentials',
        ),
      });
    });

    it('when a replacement names another client_id then 400 and the client is unchanged', async () => {
      await service.createClient({ client_id: 'fixed-id', grant_types: ['client_credentials'] });

      const result = await withoutWrites(service.db, () =>
        service.admin('PUT', '/admin/clients/fixed-id', {
          client_id: 'other-id',
          grant_types: ['client_credentials'],
        }),
      );

      expectProblem(result, 400, {
        detail: 'client_id cannot be changed',
        errors: field('/client_id', 'must be "fixed-id" or absent'),
      });
    });

    it('when an unknown client is replaced or patched then 404 and nothing is written', async () => {
      const put = await withoutWrites(service.db, () =>
        service.admin('PUT', '/admin/clients/ghost', { grant_types: ['client_credentials'] }),
      );
      const patch = await withoutWrites(service.db, () =>
        service.admin('PATCH', '/admin/clients/ghost', { client_name: 'Ghost' }),
      );

      expectProblem(put, 404, { detail: 'no client "ghost"' });
      expectProblem(patch, 404, { detail: 'no client "ghost"' });
    });

    it('when a client is patched then only the given fields change', async () => {
      const created = await service.createClient({
        client_id: 'patch-me',
        client_name: 'Before',
        grant_types: ['client_credentials'],
        scope: 'a',
        contacts: ['ops@example.com'],
      });
      const { client_secret: secret, client_secret_expires_at: _expiry, ...stored } = created;

      const result = await service.admin('PATCH', '/admin/clients/patch-me', {
        client_name: 'After',
        access_token_ttl: 900,
      });

      expect(result.status).toBe(200);
      expect(result.body).toEqual({ ...stored, client_name: 'After', access_token_ttl: 900 });
      expect((await clientRow('patch-me'))!.secret_hash).toBe(sha256(secret!));
    });

    it('when a patch sets fields to null then they return to their defaults (RFC 7396)', async () => {
      await service.createClient({
        client_id: 'reset-me',
        client_name: 'Named',
        grant_types: ['client_credentials'],
        access_token_ttl: 600,
        require_consent: false,
        contacts: ['ops@example.com'],
      });

      const result = await service.admin('PATCH', '/admin/clients/reset-me', {
        client_name: null,
        access_token_ttl: null,
        require_consent: null,
        contacts: null,
      });

      expect(result.status).toBe(200);
      expect(result.body).toEqual({
        ...DEFAULTS,
        client_id: 'reset-me',
        client_id_issued_at: expect.any(Number),
        grant_types: ['client_credentials'],
        response_types: [],
      });
    });

    it('when a patch changes grant_types without response_types then the response types are derived again', async () => {
      const created = await service.createClient({
        ...HYBRID_CLIENT,
        client_id: 'regrant-me',
      });
      expect(created.response_types).toEqual(['code id_token']);

      const codeOnly = await service.admin('PATCH', '/admin/clients/regrant-me', {
        grant_types: ['authorization_code', 'refresh_token'],
      });
      expect(codeOnly.status).toBe(200);
      expect(codeOnly.body).toMatchObject({
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      });

      const backChannel = await service.admin('PATCH', '/admin/clients/regrant-me', {
        grant_types: ['client_credentials'],
      });
      expect(backChannel.status).toBe(200);
      expect(backChannel.body).toMatchObject({
        grant_types: ['client_credentials'],
        response_types: [],
      });
    });

    it('when a patch breaks a rule then 400 and the client is unchanged', async () => {
      await service.createClient({ ...SPA_CLIENT, client_id: 'spa-patch' });

      const result = await withoutWrites(service.db, () =>
        service.admin('PATCH', '/admin/clients/spa-patch', { require_pkce: false }),
      );

      expectProblem(result, 400, {
        detail: INVALID,
        errors: field('/require_pkce', 'is always true for public clients'),
      });
    });

    it('when a patch has an unknown field or a wrong type then 400 naming it and the client is unchanged', async () => {
      await service.createClient({ client_id: 'typed', grant_types: ['client_credentials'] });

      const unknown = await withoutWrites(service.db, () =>
        service.admin('PATCH', '/admin/clients/typed', { colour: 'blue' }),
      );
      const wrongType = await withoutWrites(service.db, () =>
        service.admin('PATCH', '/admin/clients/typed', { require_consent: 'no' }),
      );
      const notObject = await withoutWrites(service.db, () =>
        postRaw('["client_name"]', '/admin/clients/typed', 'PATCH'),
      );

      expectProblem(unknown, 400, {
        detail: INVALID,
        errors: field('/colour', 'is not a known field'),
      });
      expectProblem(wrongType, 400, {
        detail: INVALID,
        errors: field('/require_consent', 'require_consent must be a boolean value'),
      });
      expectProblem(notObject, 400, {
        detail: 'the body must be a JSON object of client metadata',
      });
    });

    it('when a confidential client becomes public then its secret is dropped, and when it turns back it gets a new one', async () => {
      const created = await service.createClient({
        client_id: 'switcher',
        grant_types: ['authorization_code'],
        redirect_uris: ['https://app.example.com/callback'],
      });

      const toPublic = await service.admin('PATCH', '/admin/clients/switcher', {
        token_endpoint_auth_method: 'none',
      });
      expect(toPublic.status).toBe(200);
      expect(toPublic.body).not.toHaveProperty('client_secret');
      expect((await clientRow('switcher'))!.secret_hash).toBeNull();

      const toConfidential = await service.admin('PATCH', '/admin/clients/switcher', {
        token_endpoint_auth_method: 'client_secret_post',
      });
      expect(toConfidential.status).toBe(200);
      expect(toConfidential.headers.get('cache-control')).toBe('no-store');
      const secret = toConfidential.body.client_secret as string;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(secret).not.toBe(created.client_secret);
      expect((await clientRow('switcher'))!.secret_hash).toBe(sha256(secret));
    });

    it('when a client is deleted then 204, it is gone with its stored tokens, and its secret no longer authenticates', async () => {
      const created = await service.createClient({
        client_id: 'doomed',
        grant_types: ['password', 'refresh_token'],
        access_token_format: 'reference',
        scope: 'read',
      });
      await service.createUser({ username: 'doomed-user', password: 'correct horse battery' });
      const issued = await service.postForm(
        '/token',
        { grant_type: 'password', username: 'doomed-user', password: 'correct horse battery' },
        { basic: ['doomed', created.client_secret!] },
      );
      expect(issued.status).toBe(200);
      const countRows = async () =>
        (await service.db.query('SELECT id FROM persisted_grant WHERE client_id = $1', ['doomed']))
          .length;
      expect(await countRows()).toBe(2);

      const result = await service.admin('DELETE', '/admin/clients/doomed');

      expect(result.status).toBe(204);
      expect(result.body).toBe('');
      expect(await countRows()).toBe(0);
      expect(await clientRow('doomed')).toBeUndefined();
      expectProblem(await service.admin('GET', '/admin/clients/doomed'), 404, {
        detail: 'no client "doomed"',
      });
      expectOAuthError(
        await service.postForm(
          '/token',
          { grant_type: 'password', username: 'doomed-user', password: 'correct horse battery' },
          { basic: ['doomed', created.client_secret!] },
        ),
        401,
        'invalid_client',
        'client authentication failed',
      );
    });

    it('when a client is deleted twice then the second time is 404', async () => {
      await service.createClient({ client_id: 'twice', grant_types: ['client_credentials'] });
      expect((await service.admin('DELETE', '/admin/clients/twice')).status).toBe(204);

      const result = await withoutWrites(service.db, () =>
        service.admin('DELETE', '/admin/clients/twice'),
      );

      expectProblem(result, 404, { detail: 'no client "twice"' });
    });
  });

  describe('POST /admin/clients/{client_id}/secret', () => {
    it('when the secret is rotated then the old one stops working at /token and the new one works', async () => {
      const created = await service.createClient({
        client_id: 'rotating',
        grant_types: ['client_credentials'],
      });
      expect((await tokenWith('rotating', created.client_secret!)).status).toBe(200);

      const result = await service.admin('POST', '/admin/clients/rotating/secret');

      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
      expect(result.headers.get('cache-control')).toBe('no-store');
      const { client_secret: _old, ...unchanged } = created;
      const secret = result.body.client_secret as string;
      expect(result.body).toEqual({ ...unchanged, client_secret: secret });
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(secret).not.toBe(created.client_secret);
      expect((await clientRow('rotating'))!.secret_hash).toBe(sha256(secret));
      expectOAuthError(
        await tokenWith('rotating', created.client_secret!),
        401,
        'invalid_client',
        'client authentication failed',
      );
      expect((await tokenWith('rotating', secret)).status).toBe(200);
    });

    it('when the client is public then 400, it has no secret to rotate, and nothing is written', async () => {
      const created = await service.createClient(SPA_CLIENT);

      const result = await withoutWrites(service.db, () =>
        service.admin('POST', `/admin/clients/${created.client_id}/secret`),
      );

      expectProblem(result, 400, {
        detail: `client "${created.client_id}" authenticates with none and has no secret`,
      });
    });

    it('when the client is unknown then 404', async () => {
      const before = await snapshot(service.db);

      const result = await service.admin('POST', '/admin/clients/ghost/secret');

      expectProblem(result, 404, { detail: 'no client "ghost"' });
      expect(await snapshot(service.db)).toEqual(before);
    });
  });
});
