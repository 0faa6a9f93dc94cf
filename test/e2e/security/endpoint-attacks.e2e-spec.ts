import fc from 'fast-check';
import { basicAuthorization, startTestApp, type TestApp } from '../../support/test-app.js';
import { REDIRECT_URI } from '../authorize/user-agent.js';
import {
  anyJson,
  type AttackRequest,
  type AttackResponse,
  type BodyEncoding,
  bodyEncoding,
  carriesSecret,
  encodeForm,
  expectOAuthErrorShape,
  expectProblemShape,
  nastyString,
  rawHeaderLines,
  RequestCounter,
  RFC_6749_ERROR_DESCRIPTION,
  rowCounts,
  runOptions,
  send,
} from './attack-support.js';
import { type AttackWorld, buildAttackWorld } from './attack-world.js';

/** encodeURIComponent, with a lone surrogate sent as the bytes of its (invalid) UTF-8. */
function uriComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

/** How a back-channel caller authenticates (never with the victim's secret). */
const AUTHS = [
  'none',
  'attacker-basic',
  'attacker-post',
  'victim-wrong-secret',
  'unknown-client',
  'public-client',
  'victim-id-only',
  'two-methods',
  'bearer-instead-of-basic',
] as const;
type Auth = (typeof AUTHS)[number];

interface FormAttack {
  readonly auth: Auth;
  readonly pairs: [string, string][];
  readonly encoding: BodyEncoding;
  readonly json: unknown;
  readonly raw: string[] | undefined;
}

describe('introspection, revocation, userinfo, device authorization, authorization endpoint and admin API under attack (generated requests)', () => {
  let service: TestApp;
  let world: AttackWorld;
  let baseline: Record<string, number>;
  const counter = new RequestCounter('endpoints');

  beforeAll(async () => {
    service = await startTestApp();
    world = await buildAttackWorld(service);
    baseline = await rowCounts(service.db);
  });
  afterAll(async () => {
    counter.report();
    await world?.close();
    await service?.close();
  });

  const tokenish = () =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...world.loot) },
      { weight: 2, arbitrary: fc.constantFrom(...world.forgedAccessTokens) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...world.loot), fc.nat({ max: 40 }))
          .map(([value, cut]) => value.slice(0, Math.max(1, value.length - cut))),
      },
      { weight: 2, arbitrary: nastyString },
    );
  const optional = (name: string, value: fc.Arbitrary<string>) =>
    fc.option(
      value.map((v): [string, string] => [name, v]),
      { nil: undefined, freq: 4 },
    );
  const pairsOf = (...entries: fc.Arbitrary<[string, string] | undefined>[]) =>
    fc
      .tuple(fc.tuple(...entries), fc.array(fc.tuple(nastyString, nastyString), { maxLength: 2 }))
      .map(([all, extra]) => [...all.filter((pair) => pair !== undefined), ...extra]);
  const formAttack = (pairs: fc.Arbitrary<[string, string][]>) =>
    fc.record<FormAttack>({
      auth: fc.constantFrom(...AUTHS),
      pairs,
      encoding: bodyEncoding,
      json: anyJson,
      raw: rawHeaderLines,
    });

  function formRequest(path: string, attack: FormAttack): AttackRequest {
    const { attacker, victim, publicClient } = world;
    let header: string | undefined;
    let authPairs: [string, string][] = [];
    switch (attack.auth) {
      case 'none':
        break;
      case 'attacker-basic':
        header = basicAuthorization(attacker.client_id, attacker.client_secret!);
        break;
      case 'attacker-post':
        authPairs = [
          ['client_id', attacker.client_id],
          ['client_secret', attacker.client_secret!],
        ];
        break;
      case 'victim-wrong-secret':
        header = basicAuthorization(victim.client_id, `${victim.client_secret!}x`);
        break;
      case 'unknown-client':
        header = basicAuthorization('no-such-client', victim.client_secret!);
        break;
      case 'public-client':
        authPairs = [['client_id', publicClient.client_id]];
        break;
      case 'victim-id-only':
        authPairs = [['client_id', victim.client_id]];
        break;
      case 'two-methods':
        header = basicAuthorization(attacker.client_id, attacker.client_secret!);
        authPairs = [['client_secret', attacker.client_secret!]];
        break;
      case 'bearer-instead-of-basic':
        header = `Bearer ${world.victimClientAccessToken}`;
        break;
    }
    const { headers, body } = encodeForm(
      [...attack.pairs, ...authPairs],
      attack.encoding,
      attack.json,
    );
    return {
      method: 'POST',
      path,
      headers: { ...headers, ...(header ? { authorization: header } : {}) },
      body,
      rawHeaderLines: attack.raw,
    };
  }

  const authenticatedAsAttacker = (request: AttackRequest) =>
    carriesSecret(request, world.attacker.client_id, world.attacker.client_secret!);
  const publicClientOnly = (request: AttackRequest) =>
    String(request.body ?? '').includes(`client_id=${world.publicClient.client_id}`);

  async function expectNothingWritten(): Promise<void> {
    expect(await rowCounts(service.db)).toEqual(baseline);
  }

  it("when introspection is asked about the victim's, forged and mangled tokens then refresh tokens and forgeries are never active, errors are §5.2, and nothing is written", async () => {
    const genuineAccessTokens = new Set([
      world.victimUserAccessToken,
      world.victimClientAccessToken,
    ]);
    await fc.assert(
      fc.asyncProperty(
        formAttack(
          pairsOf(
            optional('token', tokenish()),
            optional(
              'token_type_hint',
              fc.oneof(fc.constantFrom('access_token', 'refresh_token'), nastyString),
            ),
          ),
        ),
        async (attack) => {
          const request = formRequest('/introspect', attack);
          const response = await send(service.issuer, request, counter);
          expect(response.status).toBeLessThan(500);
          if (response.status === 200) {
            expect(authenticatedAsAttacker(request)).toBe(true);
            expect(response.headers.get('cache-control')).toBe('no-store');
            const body = response.json as Record<string, unknown>;
            if (body.active !== false) {
              // RFC 7662: a resource server may learn about an access token it was given; never a refresh token of another client.
              const token = attack.pairs.find(([name]) => name === 'token')?.[1];
              expect(genuineAccessTokens.has(token!)).toBe(true);
              expect(body.token_type).toBe('Bearer');
            }
          } else {
            expectOAuthErrorShape(response);
          }
          await expectNothingWritten();
        },
      ),
      runOptions(700),
    );
  });

  it("when revocation is asked to revoke the victim's, forged and mangled tokens then nothing is revoked or written, and errors are §5.2", async () => {
    await fc.assert(
      fc.asyncProperty(
        formAttack(
          pairsOf(
            optional('token', tokenish()),
            optional(
              'token_type_hint',
              fc.oneof(fc.constantFrom('access_token', 'refresh_token'), nastyString),
            ),
          ),
        ),
        async (attack) => {
          const request = formRequest('/revoke', attack);
          const response = await send(service.issuer, request, counter);
          expect(response.status).toBeLessThan(500);
          if (response.status === 200) {
            expect(authenticatedAsAttacker(request) || publicClientOnly(request)).toBe(true);
            expect(response.text).toBe('');
          } else {
            expectOAuthErrorShape(response);
          }
          await expectNothingWritten();
        },
      ),
      runOptions(700),
    );
  });

  it('when device authorization requests are mangled then only an authenticated client gets codes, errors are §5.2, and refusals write nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        formAttack(
          pairsOf(
            optional('scope', fc.oneof(fc.constantFrom('openid', 'read admin'), nastyString)),
          ),
        ),
        async (attack) => {
          const request = formRequest('/device_authorization', attack);
          const response = await send(service.issuer, request, counter);
          expect(response.status).toBeLessThan(500);
          if (response.status === 200) {
            expect(authenticatedAsAttacker(request) || publicClientOnly(request)).toBe(true);
            expect(response.headers.get('cache-control')).toBe('no-store');
            expect(response.json).toMatchObject({
              device_code: expect.any(String),
              user_code: expect.any(String),
            });
            baseline = await rowCounts(service.db);
            return;
          }
          expectOAuthErrorShape(response);
          await expectNothingWritten();
        },
      ),
      runOptions(600),
    );
  });

  it("when userinfo is called with forged, foreign-typed, mangled or misplaced tokens then only the genuine access token answers, for its user, and errors are RFC 6750's", async () => {
    const placement = fc.constantFrom(
      'header',
      'header-lowercase-scheme',
      'form',
      'query',
      'both',
      'none',
      'basic',
    );
    await fc.assert(
      fc.asyncProperty(
        tokenish(),
        placement,
        fc.constantFrom('GET', 'POST'),
        bodyEncoding,
        async (token, where, method, encoding) => {
          const form = where === 'form' || where === 'both' ? [['access_token', token]] : [];
          const encoded =
            method === 'POST'
              ? encodeForm(form as [string, string][], encoding, { access_token: token })
              : { headers: {}, body: undefined };
          const headers: Record<string, string> = { ...encoded.headers };
          if (where === 'header' || where === 'both') headers.authorization = `Bearer ${token}`;
          if (where === 'header-lowercase-scheme') headers.authorization = `bearer ${token}`;
          if (where === 'basic') headers.authorization = `Basic ${token}`;
          const query = where === 'query' ? `?access_token=${uriComponent(token)}` : '';
          let response: AttackResponse;
          try {
            response = await send(
              service.issuer,
              { method, path: `/userinfo${query}`, headers, body: encoded.body },
              counter,
            );
          } catch (error) {
            // fetch itself refuses header values it cannot send (control characters): nothing reached the service.
            const { message, cause } = error as Error & { cause?: unknown };
            expect(`${message} ${String(cause)}`).toMatch(/header|ByteString|invalid/i);
            return;
          }
          expect(response.status).toBeLessThan(500);
          if (response.status === 200) {
            expect(token).toBe(world.victimUserAccessToken);
            // Never from the URL, never under another scheme.
            expect(['header', 'header-lowercase-scheme', 'form', 'both']).toContain(where);
            expect((response.json as Record<string, unknown>).sub).toBe(world.user.id);
          } else if (
            response.status !== 431 &&
            response.status !== 413 &&
            (method === 'GET' || encoding === 'form' || response.status !== 400)
          ) {
            // A POST body Fastify cannot parse or will not read (413), or a head Node will not read (431), is refused before the token is looked at; every other refusal carries the challenge.
            expect(response.headers.get('www-authenticate') ?? '').toMatch(
              /^Bearer realm="[^"]+"(, error="[a-z_]+"(, error_description="[^"]*")?(, scope="[^"]*")?)?$/,
            );
            if (response.text !== '') expectOAuthErrorShape(response);
          } else {
            expectOAuthErrorShape(response);
          }
          await expectNothingWritten();
        },
      ),
      runOptions(700),
    );
  });

  it('when the authorization endpoint gets mangled requests then it never errs with 5xx, never redirects to an unregistered URI, never puts a line break in a header, and refusals write nothing', async () => {
    const clientId = fc.oneof(
      fc.constantFrom(world.victim.client_id, world.publicClient.client_id, world.signer.client_id),
      nastyString,
    );
    const param = (name: string, values: fc.Arbitrary<string>) => optional(name, values);
    const authorizeParams = pairsOf(
      param('client_id', clientId),
      param(
        'redirect_uri',
        fc.oneof(
          fc.constantFrom(
            REDIRECT_URI,
            `${REDIRECT_URI}/../evil`,
            `${REDIRECT_URI}?x=1`,
            `${REDIRECT_URI}#f`,
            'https://rp.example.test.evil.example/cb',
            'https://evil.example/cb',
            'javascript:alert(1)',
            'HTTPS://RP.EXAMPLE.TEST/cb',
          ),
          nastyString,
        ),
      ),
      param(
        'response_type',
        fc.oneof(
          fc.constantFrom('code', 'token', 'id_token', 'code id_token', 'code token', 'none'),
          nastyString,
        ),
      ),
      param('scope', fc.oneof(fc.constantFrom('openid', 'openid admin', 'profile'), nastyString)),
      param('state', nastyString),
      param('nonce', nastyString),
      param('code_challenge', fc.oneof(fc.constant('a'.repeat(43)), nastyString)),
      param('code_challenge_method', fc.oneof(fc.constantFrom('S256', 'plain'), nastyString)),
      param(
        'response_mode',
        fc.oneof(fc.constantFrom('query', 'fragment', 'form_post', 'web_message'), nastyString),
      ),
      param('prompt', fc.oneof(fc.constantFrom('none', 'login', 'consent', 'create'), nastyString)),
      param('max_age', fc.oneof(fc.constantFrom('0', '-1', '1e99'), nastyString)),
      param('request', fc.constantFrom(...world.forgedAccessTokens)),
      param(
        'request_uri',
        fc.constantFrom('urn:ietf:params:oauth:request_uri:x', 'https://evil.example/r'),
      ),
      param('id_token_hint', fc.constantFrom(...world.forgedAccessTokens)),
    );
    const paths = fc.constantFrom(
      '/authorize',
      '/authorize',
      '/authorize',
      '/authorize/login',
      '/authorize/consent',
      '/end_session',
      '/device',
    );
    await fc.assert(
      fc.asyncProperty(
        paths,
        fc.constantFrom('GET', 'POST'),
        authorizeParams,
        bodyEncoding,
        async (path, method, pairs, encoding) => {
          const query = new URLSearchParams(pairs).toString();
          const encoded =
            method === 'POST' ? encodeForm(pairs, encoding, Object.fromEntries(pairs)) : undefined;
          const response = await send(
            service.issuer,
            {
              method,
              path: method === 'GET' ? `${path}?${query}` : path,
              headers: encoded?.headers ?? {},
              body: encoded?.body,
            },
            counter,
          );
          expect(response.status).toBeLessThan(500);
          for (const [, value] of response.headers) expect(value).not.toMatch(/[\r\n]/);
          const location = response.headers.get('location');
          if (location !== null) {
            const target = new URL(location, service.issuer);
            const internal = target.origin === service.issuer;
            // An error or response goes only to the exact registered URI (RFC 9700 §4.1.3).
            expect(internal || `${target.origin}${target.pathname}` === REDIRECT_URI).toBe(true);
            // What an error redirect describes is in RFC 6749's characters, and short.
            const description = target.searchParams.get('error_description');
            if (description !== null) {
              expect(description).toMatch(RFC_6749_ERROR_DESCRIPTION);
              expect(description.length).toBeLessThanOrEqual(300);
            }
          }
          const action = /<form method="post" action="([^"]*)"/.exec(response.text)?.[1];
          if (action !== undefined) {
            expect(action.startsWith('/') || action === REDIRECT_URI).toBe(true);
          }
          if (response.status >= 400 && response.headers.get('content-type')?.includes('json')) {
            expectOAuthErrorShape(response);
          }
          if (response.status >= 400) await expectNothingWritten();
          else baseline = await rowCounts(service.db);
        },
      ),
      runOptions(1000),
    );
  });

  it('when the admin API gets forged, foreign or missing tokens, wrong methods, random paths and bodies then every error is RFC 9457 and only the admin token writes', async () => {
    const adminToken = await service.adminToken();
    const attackerToken = (
      await service.postForm(
        '/token',
        { grant_type: 'client_credentials', scope: 'read' },
        { basic: [world.attacker.client_id, world.attacker.client_secret!] },
      )
    ).body.access_token as string;
    const ids = fc.oneof(
      fc.constantFrom(
        world.victim.client_id,
        world.user.id,
        'no-such-id',
        '..%2F..%2Fkeys',
        '%00',
        '%E0%A4%A',
        '%',
        'a'.repeat(101),
        '00000000-0000-0000-0000-000000000000',
      ),
      nastyString.map((value) => uriComponent(value)),
    );
    const paths = fc.oneof(
      fc.constantFrom(
        '/admin/clients',
        '/admin/users',
        '/admin/trusted-issuers',
        '/admin/keys',
        '/admin/keys/rotate',
        '/admin',
        '/admin/',
        '/admin/openapi.json',
      ),
      fc
        .tuple(fc.constantFrom('/admin/clients/', '/admin/users/', '/admin/trusted-issuers/'), ids)
        .map(([prefix, id]) => `${prefix}${id}`),
      ids.map((id) => `/admin/clients/${id}/secret`),
      ids.map((id) => `/admin/users/${id}/consents`),
      fc
        .tuple(fc.constantFrom('?limit=', '?cursor=', '?limit=2&cursor='), nastyString)
        .map(([query, value]) => `/admin/clients${query}${uriComponent(value)}`),
    );
    const who = fc.constantFrom(
      'admin',
      'none',
      'attacker',
      'forged',
      'refresh-token',
      'basic-admin-secret',
      'token-in-query',
    );
    const bodyKinds = fc.constantFrom('json', 'json', 'form', 'text', 'none', 'bad-json', 'huge');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
        paths,
        who,
        bodyKinds,
        anyJson,
        fc.nat(),
        async (method, path, caller, bodyKind, json, pick) => {
          // The real admin never deletes or changes the world's own clients and user.
          const safePath =
            caller === 'admin' &&
            (path.includes(world.victim.client_id) || path.includes(world.user.id))
              ? '/admin/clients/no-such-id'
              : path;
          const headers: Record<string, string> = {};
          if (caller === 'admin') headers.authorization = `Bearer ${adminToken}`;
          if (caller === 'attacker') headers.authorization = `Bearer ${attackerToken}`;
          if (caller === 'forged')
            headers.authorization = `Bearer ${world.forgedAccessTokens[pick % world.forgedAccessTokens.length]!}`;
          if (caller === 'refresh-token')
            headers.authorization = `Bearer ${world.victimRefreshToken}`;
          if (caller === 'basic-admin-secret')
            headers.authorization = basicAuthorization('test-admin', 'wrong');
          const url =
            caller === 'token-in-query'
              ? `${safePath}${safePath.includes('?') ? '&' : '?'}access_token=${adminToken}`
              : safePath;
          let body: string | undefined;
          if (method !== 'GET' && method !== 'OPTIONS') {
            if (bodyKind === 'json') {
              headers['content-type'] = 'application/json';
              body = JSON.stringify(json) ?? 'null';
            } else if (bodyKind === 'form') {
              headers['content-type'] = 'application/x-www-form-urlencoded';
              body = 'client_name=x&grant_types=client_credentials';
            } else if (bodyKind === 'text') {
              headers['content-type'] = 'text/plain';
              body = typeof json === 'string' ? json : (JSON.stringify(json) ?? '');
            } else if (bodyKind === 'bad-json') {
              headers['content-type'] = 'application/json';
              body = '{"client_name": "x",';
            } else if (bodyKind === 'huge') {
              headers['content-type'] = 'application/json';
              body = JSON.stringify({ client_name: 'a'.repeat(70_000) });
            }
          }
          const response = await send(
            service.issuer,
            { method, path: url, headers, body },
            counter,
          );
          expect(response.status).toBeLessThan(500);
          if (caller !== 'admin') {
            // Without the admin token nothing but the public OpenAPI document (and a 404) answers.
            if (response.status < 400) {
              expect(safePath).toBe('/admin/openapi.json');
            }
          }
          if (response.status >= 400) {
            expectProblemShape(response);
            await expectNothingWritten();
          } else {
            baseline = await rowCounts(service.db);
          }
        },
      ),
      runOptions(1200),
    );
  });
});
