import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { expectOAuthError, sha256, withoutWrites } from '../../support/expectations.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  assertionClaims,
  epoch,
  hmacWithPublicKey,
  partyKey,
  type PartyKey,
  signAssertion,
  startJwksServer,
  type JwksServer,
  unsecuredJwt,
} from './assertions.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PARTNER = 'https://partner.example';
const OTHER = 'https://other-partner.example';
const REMOTE = 'https://remote-partner.example';

describe('JWT bearer grant (RFC 7523 §2.1) with trusted issuers', () => {
  let service: TestApp;
  let client: RegisteredClient;
  let partnerKey: PartyKey;
  let otherKey: PartyKey;
  let remoteKey: PartyKey;
  let jwksServer: JwksServer;

  beforeAll(async () => {
    service = await startTestApp();
    [partnerKey, otherKey, remoteKey] = await Promise.all([
      partyKey('partner-1'),
      partyKey('other-1', 'RS256'),
      partyKey('remote-1', 'PS256'),
    ]);
    jwksServer = await startJwksServer([remoteKey.publicJwk]);
    for (const [issuer, extra] of [
      [
        PARTNER,
        {
          jwks: { keys: [partnerKey.publicJwk] },
          allowed_subjects: ['alice', 'bob'],
          allowed_scopes: ['orders:read', 'orders:write'],
        },
      ],
      [OTHER, { jwks: { keys: [otherKey.publicJwk] } }],
      [REMOTE, { jwks_uri: jwksServer.uri }],
    ] as const) {
      const result = await service.admin('POST', '/admin/trusted-issuers', { issuer, ...extra });
      expect(result.status).toBe(201);
    }
    client = await service.createClient({
      grant_types: [JWT_BEARER],
      scope: 'orders:read orders:write profile',
    });
  });
  afterAll(async () => {
    await jwksServer.close();
    await service.close();
  });

  const redeem = (assertion: string, extra: Record<string, string> = {}) =>
    service.postForm(
      '/token',
      { grant_type: JWT_BEARER, assertion, ...extra },
      { basic: [client.client_id, client.client_secret!] },
    );
  const partnerClaims = (overrides: JWTPayload = {}) =>
    assertionClaims(PARTNER, 'alice', `${service.issuer}/token`, overrides);
  const jtiRows = () =>
    service.db.query<Record<string, unknown>>(
      "SELECT handle_hash, client_id, subject, expires_at FROM persisted_grant WHERE type = 'assertion_jti'",
    );
  /** A refusal writes nothing: no used jti, no token row. */
  const refused = (assertion: string, extra: Record<string, string> = {}) =>
    withoutWrites(service.db, () => redeem(assertion, extra));

  it('when a trusted issuer asserts an allowed subject then an access token for that subject comes back, and the jti is recorded until exp', async () => {
    const claims = partnerClaims({ aud: service.issuer });
    const before = await jtiRows();

    const result = await redeem(await signAssertion(partnerKey, claims), {
      scope: 'orders:read',
    });

    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'orders:read',
    });
    const jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
    const { payload } = await jwtVerify(result.body.access_token, jwks, {
      issuer: service.issuer,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: 'alice',
      client_id: client.client_id,
      scope: 'orders:read',
    });
    const after = await jtiRows();
    expect(after.length).toBe(before.length + 1);
    expect(after).toContainEqual({
      handle_hash: sha256(`${PARTNER}:${claims.jti}`),
      client_id: '',
      subject: null,
      expires_at: expect.anything(),
    });
    const row = after.find((r) => r.handle_hash === sha256(`${PARTNER}:${claims.jti}`))!;
    expect(Number(row.expires_at)).toBe((claims.exp! + 60) * 1000);
  });

  it('when no scope is asked for then the token carries the client scopes the issuer allows', async () => {
    const result = await redeem(await signAssertion(partnerKey, partnerClaims()));

    expect(result.status).toBe(200);
    expect(result.body.scope).toBe('orders:read orders:write');
  });

  it('when the issuer publishes its keys at a jwks_uri then they are fetched and the assertion is accepted', async () => {
    const claims = assertionClaims(REMOTE, 'carol', service.issuer);

    const result = await redeem(await signAssertion(remoteKey, claims));

    expect(result.status).toBe(200);
    expect(result.body.scope).toBe('orders:read orders:write profile');
    expect(jwksServer.fetches).toBeGreaterThanOrEqual(1);
  });

  it('when a scope outside what the issuer allows is asked for then invalid_scope and the jti stays unused', async () => {
    const result = await refused(await signAssertion(partnerKey, partnerClaims()), {
      scope: 'orders:read profile',
    });

    expectOAuthError(result, 400, 'invalid_scope', 'scope not allowed: profile');
  });

  it('when the assertion is signed by a key the issuer does not have then invalid_grant', async () => {
    const stranger = await partyKey('partner-2');

    const result = await refused(await signAssertion(stranger, partnerClaims()));

    expectOAuthError(
      result,
      400,
      'invalid_grant',
      'the assertion is signed with a key that is not registered for its issuer',
    );
  });

  it('when the assertion is signed by a key of another trusted issuer then invalid_grant', async () => {
    const result = await refused(await signAssertion(otherKey, partnerClaims()));

    expectOAuthError(
      result,
      400,
      'invalid_grant',
      'the assertion is signed with a key that is not registered for its issuer',
    );
  });

  it('when the assertion is unsigned (alg none) then invalid_grant', async () => {
    const result = await refused(unsecuredJwt(partnerClaims()));

    expectOAuthError(
      result,
      400,
      'invalid_grant',
      'the assertion is signed with an algorithm that is not allowed',
    );
  });

  it("when the assertion is HS256 keyed with the issuer's public key then invalid_grant", async () => {
    const result = await refused(await hmacWithPublicKey(partnerKey, partnerClaims()));

    expectOAuthError(
      result,
      400,
      'invalid_grant',
      'the assertion is signed with an algorithm that is not allowed',
    );
  });

  it('when the assertion has expired then invalid_grant', async () => {
    const now = epoch();
    const claims = partnerClaims({ iat: now - 600, exp: now - 120 });

    const result = await refused(await signAssertion(partnerKey, claims));

    expectOAuthError(result, 400, 'invalid_grant', 'the assertion has expired');
  });

  it('when the assertion is not yet valid then invalid_grant', async () => {
    const claims = partnerClaims({ nbf: epoch() + 600, exp: epoch() + 900 });

    const result = await refused(await signAssertion(partnerKey, claims));

    expectOAuthError(result, 400, 'invalid_grant', 'the assertion is not yet valid (nbf)');
  });

  it('when the assertion was issued in the future then invalid_grant', async () => {
    const claims = partnerClaims({ iat: epoch() + 600, exp: epoch() + 900 });

    const result = await refused(await signAssertion(partnerKey, claims));

    expectOAuthError(result, 400, 'invalid_grant', 'the assertion was issued in the future (iat)');
  });

  it('when the assertion is meant for another audience then invalid_grant', async () => {
    const claims = partnerClaims({ aud: 'https://someone-else.example/token' });

    const result = await refused(await signAssertion(partnerKey, claims));

    expectOAuthError(
      result,
      400,
      'invalid_grant',
      'the assertion is not meant for this server: aud must be its issuer or token endpoint',
    );
  });

  it('when the assertion is used a second time then invalid_grant and only one jti row exists', async () => {
    const claims = partnerClaims();
    const assertion = await signAssertion(partnerKey, claims);
    expect((await redeem(assertion)).status).toBe(200);

    const second = await refused(assertion);

    expectOAuthError(
      second,
      400,
      'invalid_grant',
      'the assertion was already used: its jti has been seen before',
    );
    const hash = sha256(`${PARTNER}:${claims.jti}`);
    expect((await jtiRows()).filter((row) => row.handle_hash === hash)).toHaveLength(1);
  });

  it('when the same assertion is redeemed twice at once then exactly one gets a token', async () => {
    const assertion = await signAssertion(partnerKey, partnerClaims());

    const results = await Promise.all([redeem(assertion), redeem(assertion)]);

    expect(results.map((result) => result.status).sort((a, b) => a - b)).toEqual([200, 400]);
  });

  it('when exp - iat is longer than an hour then invalid_grant', async () => {
    const claims = partnerClaims({ iat: epoch(), exp: epoch() + 7200 });

    const result = await refused(await signAssertion(partnerKey, claims));

    expectOAuthError(
      result,
      400,
      'invalid_grant',
      'the assertion is valid for too long: at most 3600 seconds are accepted',
    );
  });

  it('when there is no iat and exp is more than an hour ahead then invalid_grant', async () => {
    const { iat: _iat, ...claims } = partnerClaims({ exp: epoch() + 7200 });

    const result = await refused(await signAssertion(partnerKey, claims));

    expectOAuthError(
      result,
      400,
      'invalid_grant',
      'the assertion is valid for too long: at most 3600 seconds are accepted',
    );
  });

  it('when the subject is not one the issuer may assert then invalid_grant', async () => {
    const result = await refused(
      await signAssertion(partnerKey, partnerClaims({ sub: 'mallory' })),
    );

    expectOAuthError(
      result,
      400,
      'invalid_grant',
      'the assertion names a subject that its issuer may not assert',
    );
  });

  it('when the issuer is not trusted then invalid_grant', async () => {
    const claims = assertionClaims('https://stranger.example', 'alice', service.issuer);

    const result = await refused(await signAssertion(partnerKey, claims));

    expectOAuthError(
      result,
      400,
      'invalid_grant',
      'the assertion is from an issuer that is not trusted',
    );
  });

  it('when the assertion has no jti then invalid_grant', async () => {
    const { jti: _jti, ...claims } = partnerClaims();

    const result = await refused(await signAssertion(partnerKey, claims));

    expectOAuthError(result, 400, 'invalid_grant', 'the assertion has no jti claim');
  });

  it('when the assertion is not a JWT then invalid_grant', async () => {
    const result = await refused('not-a-jwt');

    expectOAuthError(result, 400, 'invalid_grant', 'the assertion is not a well-formed JWT');
  });

  it('when the assertion parameter is missing then invalid_request', async () => {
    const result = await withoutWrites(service.db, () =>
      service.postForm(
        '/token',
        { grant_type: JWT_BEARER },
        { basic: [client.client_id, client.client_secret!] },
      ),
    );

    expectOAuthError(result, 400, 'invalid_request', 'assertion is required');
  });

  it('when the trusted issuer is deleted then its assertions are refused', async () => {
    const key = await partyKey('short-lived-1');
    const created = await service.admin('POST', '/admin/trusted-issuers', {
      issuer: 'https://short-lived.example',
      jwks: { keys: [key.publicJwk] },
    });
    await service.admin('DELETE', `/admin/trusted-issuers/${created.body.id}`);

    const result = await refused(
      await signAssertion(key, assertionClaims('https://short-lived.example', 'x', service.issuer)),
    );

    expectOAuthError(
      result,
      400,
      'invalid_grant',
      'the assertion is from an issuer that is not trusted',
    );
  });

  it('when discovery is read then the grant type is listed', async () => {
    const metadata = (await service.request('GET', '/.well-known/openid-configuration')).body;

    expect(metadata.grant_types_supported).toContain(JWT_BEARER);
  });
});
