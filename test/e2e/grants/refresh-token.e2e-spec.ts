import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { expectRevokedJwt, sha256 } from '../../support/expectations.js';
import { discoverAs } from '../../support/oidc-client.js';
import {
  startTestApp,
  type HttpResult,
  type RegisteredClient,
  type TestApp,
} from '../../support/test-app.js';
import {
  allGrantRows,
  familyRows,
  grantRowOf,
  handleHash,
  setExpiresAt,
  type PersistedGrantRow,
} from './persisted-grant-rows.js';

const PASSWORD = 'correct horse battery staple';
const INVALID_REFRESH_TOKEN = {
  error: 'invalid_grant',
  error_description: 'the refresh token is invalid, expired or revoked',
};

describe('refresh_token grant (RFC 6749 §6)', () => {
  let service: TestApp;
  let user: { id: string; username: string };
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  /** Defaults: one_time usage (rotation), absolute expiration. */
  let rotating: RegisteredClient;
  let other: RegisteredClient;
  let reusing: RegisteredClient;
  let sliding: RegisteredClient;
  let slidingReusing: RegisteredClient;
  let reference: RegisteredClient;
  const configs = new Map<string, oidc.Configuration>();

  beforeAll(async () => {
    service = await startTestApp();
    user = await service.createUser({ username: 'alice', password: PASSWORD });
    const refreshClient = (extra: Record<string, unknown> = {}) =>
      service.createClient({
        grant_types: ['password', 'refresh_token'],
        scope: 'read write',
        ...extra,
      });
    rotating = await refreshClient();
    other = await refreshClient();
    reusing = await refreshClient({ refresh_token_usage: 'reuse' });
    sliding = await refreshClient({ refresh_token_expiration: 'sliding', refresh_token_ttl: 3600 });
    slidingReusing = await refreshClient({
      refresh_token_expiration: 'sliding',
      refresh_token_usage: 'reuse',
      refresh_token_ttl: 3600,
    });
    reference = await refreshClient({ access_token_format: 'reference' });
    jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
  });
  afterAll(() => service.close());

  async function configFor(client: RegisteredClient): Promise<oidc.Configuration> {
    let config = configs.get(client.client_id);
    if (config === undefined) {
      config = await discoverAs(service, client);
      configs.set(client.client_id, config);
    }
    return config;
  }

  /** Alice's tokens for the client from the password grant. */
  async function signIn(client: RegisteredClient, scope = 'read write') {
    const tokens = await oidc.genericGrantRequest(await configFor(client), 'password', {
      username: 'alice',
      password: PASSWORD,
      scope,
    });
    expect(typeof tokens.refresh_token).toBe('string');
    return { ...tokens, refresh_token: tokens.refresh_token! };
  }

  async function refresh(client: RegisteredClient, refreshToken: string, scope?: string) {
    const tokens = await oidc.refreshTokenGrant(
      await configFor(client),
      refreshToken,
      scope === undefined ? undefined : { scope },
    );
    expect(typeof tokens.refresh_token).toBe('string');
    return { ...tokens, refresh_token: tokens.refresh_token! };
  }

  /** The raw request, to see the exact status, headers and body of a refusal. */
  const refreshRequest = (
    client: RegisteredClient,
    params: Record<string, string>,
  ): Promise<HttpResult> =>
    service.postForm(
      '/token',
      { grant_type: 'refresh_token', ...params },
      { basic: [client.client_id, client.client_secret!] },
    );

  const rowOf = async (token: string): Promise<PersistedGrantRow> => {
    const row = await grantRowOf(service.db, token);
    expect(row).toBeDefined();
    return row!;
  };

  const introspect = (client: RegisteredClient, token: string) =>
    service.postForm(
      '/introspect',
      { token },
      { basic: [client.client_id, client.client_secret!] },
    );

  function expectRefused(result: HttpResult, body: object): void {
    expect({ status: result.status, body: result.body }).toEqual({ status: 400, body });
    expect(result.headers.get('cache-control')).toBe('no-store');
  }

  it('when a refresh token is redeemed then a new one comes back, the old row is consumed and the new one joins the family', async () => {
    const first = await signIn(rotating);
    const firstRow = await rowOf(first.refresh_token);

    const second = await refresh(rotating, first.refresh_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.token_type).toBe('bearer');
    expect(second.scope).toBe('read write');

    const { payload } = await jwtVerify(second.access_token, jwks, {
      issuer: service.issuer,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: user.id,
      client_id: rotating.client_id,
      scope: 'read write',
      auth_time: decodeJwt(first.access_token).auth_time,
    });

    const [consumed, current] = await familyRows(service.db, firstRow.family_id);
    // The consumed row records the access token its rotation issued (for the family's revocation).
    expect(consumed).toEqual({
      ...firstRow,
      consumed_at: expect.any(Number),
      payload: { ...firstRow.payload, accessTokenJti: payload.jti, accessTokenExp: payload.exp },
    });
    expect(current).toMatchObject({
      type: 'refresh_token',
      handle_hash: handleHash(second.refresh_token),
      client_id: rotating.client_id,
      subject: user.id,
      consumed_at: null,
      // Absolute expiration: the family keeps its first expiry.
      expires_at: firstRow.expires_at,
    });
    // The first row records the password grant's access token; the family's grant goes on without it.
    const { firstAccessTokenJti, firstAccessTokenExp, ...familyGrant } = firstRow.payload;
    expect({ firstAccessTokenJti, firstAccessTokenExp }).toEqual({
      firstAccessTokenJti: decodeJwt(first.access_token).jti,
      firstAccessTokenExp: decodeJwt(first.access_token).exp,
    });
    expect(current!.payload).toEqual(familyGrant);
    expect(await familyRows(service.db, firstRow.family_id)).toHaveLength(2);
  });

  it('when a refresh token made before time-stamped handles (43 characters, stored as its bare SHA-256) is redeemed then it rotates and the reuse check still holds', async () => {
    // An upgrade: the row an older version wrote for a 256-bit random handle.
    const first = await signIn(rotating);
    const legacy = randomBytes(32).toString('base64url');
    await service.db.query('UPDATE persisted_grant SET handle_hash = $1 WHERE handle_hash = $2', [
      sha256(legacy),
      handleHash(first.refresh_token),
    ]);
    expect(await grantRowOf(service.db, first.refresh_token)).toBeUndefined();

    const second = await refresh(rotating, legacy);
    expect(second.refresh_token).toMatch(/^[A-Za-z0-9_-]{51}$/);
    expect((await rowOf(second.refresh_token)).consumed_at).toBeNull();
    expect((await introspect(rotating, legacy)).body).toEqual({ active: false });

    expectRefused(await refreshRequest(rotating, { refresh_token: legacy }), INVALID_REFRESH_TOKEN);
    expect(await grantRowOf(service.db, second.refresh_token)).toBeUndefined();
  });

  it('when a rotated refresh token is presented again then invalid_grant and the whole family is revoked, JWT access tokens included', async () => {
    const first = await signIn(rotating);
    const familyId = (await rowOf(first.refresh_token)).family_id;
    const second = await refresh(rotating, first.refresh_token);
    const third = await refresh(rotating, second.refresh_token);

    expectRefused(
      await refreshRequest(rotating, { refresh_token: first.refresh_token }),
      INVALID_REFRESH_TOKEN,
    );
    expect(await familyRows(service.db, familyId)).toEqual([]);
    // The password grant's JWT (recorded on the first refresh token) and each rotation's.
    for (const tokens of [first, second, third]) {
      await expectRevokedJwt(service.db, tokens.access_token, rotating.client_id);
    }
    // The newest token of the family, never used, stops working too.
    expectRefused(
      await refreshRequest(rotating, { refresh_token: third.refresh_token }),
      INVALID_REFRESH_TOKEN,
    );
  });

  it('when the same refresh token is redeemed by racing requests then exactly one wins and the family ends revoked', async () => {
    const first = await signIn(rotating);
    const familyId = (await rowOf(first.refresh_token)).family_id;
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        refreshRequest(rotating, { refresh_token: first.refresh_token }),
      ),
    );
    const winners = results.filter((result) => result.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((result) => result.status !== 200)) {
      expectRefused(loser, INVALID_REFRESH_TOKEN);
    }
    // The losers detected reuse: the winner's new refresh token went with the family.
    expect(await familyRows(service.db, familyId)).toEqual([]);
    expectRefused(
      await refreshRequest(rotating, { refresh_token: winners[0]!.body.refresh_token }),
      INVALID_REFRESH_TOKEN,
    );
  });

  it('when openid-client presents a rotated refresh token then it raises invalid_grant', async () => {
    const first = await signIn(rotating);
    await refresh(rotating, first.refresh_token);
    const error = await refresh(rotating, first.refresh_token).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(oidc.ResponseBodyError);
    expect(error).toMatchObject({ status: 400, cause: INVALID_REFRESH_TOKEN });
  });

  it('when the refresh asks for fewer scopes then the access token has them and the refresh token keeps the original scope', async () => {
    const first = await signIn(rotating, 'read write');
    const narrowed = await refresh(rotating, first.refresh_token, 'read');
    expect(narrowed.scope).toBe('read');
    expect(decodeJwt(narrowed.access_token).scope).toBe('read');
    expect((await rowOf(narrowed.refresh_token)).payload.scope).toBe('read write');

    // RFC 6749 §6: an omitted scope means the scope originally granted.
    const full = await refresh(rotating, narrowed.refresh_token);
    expect(full.scope).toBe('read write');
    expect(decodeJwt(full.access_token).scope).toBe('read write');
  });

  it('when the refresh asks for a scope beyond the original grant then invalid_scope and the token is not consumed', async () => {
    const first = await signIn(rotating, 'read');
    const before = await allGrantRows(service.db);

    // "write" is within the client's registration but not within what this token was granted.
    expectRefused(
      await refreshRequest(rotating, { refresh_token: first.refresh_token, scope: 'read write' }),
      { error: 'invalid_scope', error_description: 'scope not allowed: write' },
    );
    expect(await allGrantRows(service.db)).toEqual(before);

    const after = await refresh(rotating, first.refresh_token);
    expect(after.scope).toBe('read');
  });

  it('when another client presents the refresh token then invalid_grant and the token still works for its own client', async () => {
    const first = await signIn(rotating);
    const before = await allGrantRows(service.db);

    expectRefused(
      await refreshRequest(other, { refresh_token: first.refresh_token }),
      INVALID_REFRESH_TOKEN,
    );
    expect(await allGrantRows(service.db)).toEqual(before);

    const second = await refresh(rotating, first.refresh_token);
    expect(decodeJwt(second.access_token).client_id).toBe(rotating.client_id);
  });

  it('when the refresh token has expired then invalid_grant and its row is neither consumed nor revoked', async () => {
    const first = await signIn(rotating);
    await setExpiresAt(service.db, first.refresh_token, Date.now() - 1000);
    const before = await allGrantRows(service.db);

    expectRefused(
      await refreshRequest(rotating, { refresh_token: first.refresh_token }),
      INVALID_REFRESH_TOKEN,
    );
    expect(await allGrantRows(service.db)).toEqual(before);
    expect((await rowOf(first.refresh_token)).consumed_at).toBeNull();
  });

  it('when the refresh token is unknown then invalid_grant', async () => {
    expectRefused(
      await refreshRequest(rotating, {
        refresh_token: 'd2hhdGV2ZXItdGhpcy1pcy1ub3QtYS10b2tlbi1hdC1hbGw',
      }),
      INVALID_REFRESH_TOKEN,
    );
  });

  it('when refresh_token is missing then invalid_request names it', async () => {
    expectRefused(await refreshRequest(rotating, {}), {
      error: 'invalid_request',
      error_description: 'refresh_token is required',
    });
  });

  it('when the client reuses refresh tokens then the same token comes back and keeps working', async () => {
    const first = await signIn(reusing);
    const row = await rowOf(first.refresh_token);

    const second = await refresh(reusing, first.refresh_token);
    const third = await refresh(reusing, first.refresh_token);
    expect(second.refresh_token).toBe(first.refresh_token);
    expect(third.refresh_token).toBe(first.refresh_token);
    expect(decodeJwt(third.access_token)).toMatchObject({ sub: user.id, scope: 'read write' });

    // The refresh token's row, never consumed, expiry untouched (absolute); beside it one
    // record of each refresh's JWT, kept until that JWT expires.
    const [kept, ...records] = await familyRows(service.db, row.family_id);
    expect(kept).toEqual(row);
    expect(records).toHaveLength(2);
    [second, third].forEach((tokens, index) => {
      const { jti, exp } = decodeJwt(tokens.access_token);
      expect(records[index]).toMatchObject({
        type: 'issued_jwt',
        client_id: reusing.client_id,
        subject: user.id,
        consumed_at: null,
        expires_at: exp! * 1000,
        payload: { accessTokenJti: jti, accessTokenExp: exp },
      });
    });
  });

  it('when a reused refresh token is revoked then the JWT access tokens of all its refreshes are revoked with it', async () => {
    const first = await signIn(reusing);
    const familyId = (await rowOf(first.refresh_token)).family_id;
    const second = await refresh(reusing, first.refresh_token);
    const third = await refresh(reusing, first.refresh_token);

    const revoked = await service.postForm(
      '/revoke',
      { token: first.refresh_token, token_type_hint: 'refresh_token' },
      { basic: [reusing.client_id, reusing.client_secret!] },
    );
    expect(revoked.status).toBe(200);

    expect(await familyRows(service.db, familyId)).toEqual([]);
    // The password grant's JWT (recorded on the refresh token) and each refresh's.
    for (const tokens of [first, second, third]) {
      await expectRevokedJwt(service.db, tokens.access_token, reusing.client_id);
      expect((await introspect(reusing, tokens.access_token)).body).toEqual({ active: false });
    }
    expectRefused(
      await refreshRequest(reusing, { refresh_token: first.refresh_token }),
      INVALID_REFRESH_TOKEN,
    );
  });

  it('when a reused refresh token is revoked while refreshes are in flight then no JWT they issue stays active', async () => {
    // Several rounds: the interleavings differ from one to the next.
    for (let round = 0; round < 4; round++) {
      const first = await signIn(reusing);
      const familyId = (await rowOf(first.refresh_token)).family_id;
      const refreshes = Array.from({ length: 10 }, () =>
        refreshRequest(reusing, { refresh_token: first.refresh_token }),
      );
      const revocation = service.postForm(
        '/revoke',
        { token: first.refresh_token, token_type_hint: 'refresh_token' },
        { basic: [reusing.client_id, reusing.client_secret!] },
      );
      const [results, revoked] = await Promise.all([Promise.all(refreshes), revocation]);
      expect(revoked.status).toBe(200);

      for (const result of results) {
        if (result.status !== 200) {
          expectRefused(result, INVALID_REFRESH_TOKEN);
          continue;
        }
        // Whatever the order, a JWT handed out is on the deny list now.
        const token = String(result.body.access_token);
        expect((await introspect(reusing, token)).body).toEqual({ active: false });
      }
      expect(await familyRows(service.db, familyId)).toEqual([]);
    }
  });

  it('when expiration is sliding then a rotated token gets a full lifetime from the time of the refresh', async () => {
    const first = await signIn(sliding);
    const firstRow = await rowOf(first.refresh_token);
    expect(firstRow.expires_at - firstRow.created_at).toBe(3600 * 1000);
    // As if most of its lifetime had passed: one minute left.
    await setExpiresAt(service.db, first.refresh_token, Date.now() + 60_000);
    const aged = await rowOf(first.refresh_token);

    const asked = Date.now();
    const second = await refresh(sliding, first.refresh_token);
    const secondRow = await rowOf(second.refresh_token);
    expect(secondRow.family_id).toBe(firstRow.family_id);
    expect(secondRow.expires_at).toBeGreaterThanOrEqual(asked + 3600 * 1000);
    expect(secondRow.expires_at).toBe(secondRow.created_at + 3600 * 1000);
    expect(secondRow.expires_at).toBeGreaterThan(aged.expires_at + 3000 * 1000);
  });

  it('when expiration is sliding and tokens are reused then the same row has its expiry moved forward', async () => {
    const first = await signIn(slidingReusing);
    await setExpiresAt(service.db, first.refresh_token, Date.now() + 60_000);
    const aged = await rowOf(first.refresh_token);

    const asked = Date.now();
    const second = await refresh(slidingReusing, first.refresh_token);
    expect(second.refresh_token).toBe(first.refresh_token);
    const extended = await rowOf(first.refresh_token);
    expect(extended).toEqual({ ...aged, expires_at: expect.any(Number) });
    expect(extended.expires_at).toBeGreaterThanOrEqual(asked + 3600 * 1000);
    expect(extended.expires_at).toBeLessThanOrEqual(Date.now() + 3600 * 1000);
  });

  it('when the client has reference access tokens then they are opaque and introspect active, for the password and the refresh grant', async () => {
    const first = await signIn(reference, 'read');
    const second = await refresh(reference, first.refresh_token);
    const familyId = (await rowOf(first.refresh_token)).family_id;

    for (const tokens of [first, second]) {
      expect(tokens.access_token).toMatch(/^[A-Za-z0-9_-]{51}$/);
      const row = await rowOf(tokens.access_token);
      expect(row).toMatchObject({
        type: 'access_token',
        client_id: reference.client_id,
        subject: user.id,
        family_id: familyId,
        consumed_at: null,
      });

      const result = await introspect(reference, tokens.access_token);
      expect(result.status).toBe(200);
      expect(result.headers.get('cache-control')).toBe('no-store');
      const iat = result.body.iat as number;
      expect(result.body).toEqual({
        active: true,
        iss: service.issuer,
        sub: user.id,
        aud: service.issuer,
        client_id: reference.client_id,
        scope: 'read',
        jti: expect.any(String),
        iat,
        exp: iat + 3600,
        auth_time: expect.any(Number),
        username: 'alice',
        token_type: 'Bearer',
      });
      expect(row.expires_at).toBe(result.body.exp * 1000);
    }
  });

  it('when a rotated refresh token is reused then the reference access tokens of its family stop working too', async () => {
    const first = await signIn(reference);
    const second = await refresh(reference, first.refresh_token);
    expect((await introspect(reference, second.access_token)).body.active).toBe(true);

    expectRefused(
      await refreshRequest(reference, { refresh_token: first.refresh_token }),
      INVALID_REFRESH_TOKEN,
    );
    for (const token of [first.access_token, second.access_token, second.refresh_token]) {
      expect((await introspect(reference, token)).body).toEqual({ active: false });
      expect(await grantRowOf(service.db, token)).toBeUndefined();
    }
  });
});
