import { randomUUID } from 'node:crypto';
import { expectProblem, JSON_CONTENT_TYPE, withoutWrites } from '../../support/expectations.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { allGrantRows, grantRowOf, handleHash } from '../grants/persisted-grant-rows.js';

const PASSWORD = 'correct horse battery staple';
const HOUR = 3600 * 1000;

type Registered = { client_id: string; client_secret?: string };

describe('admin API: /admin/users/{id}/consents', () => {
  let service: TestApp;
  let alice: { id: string };
  let bob: { id: string };
  /** Reference access tokens and refresh tokens, so that every token it issues has a row. */
  let photos: Registered;
  let calendar: Registered;

  /** A consent row as the authorization endpoint writes it. */
  async function insertConsent(
    subject: string,
    clientId: string,
    scopes: string[],
    times: { createdAt?: number; expiresAt?: number } = {},
  ): Promise<void> {
    const createdAt = times.createdAt ?? Date.now();
    await service.db.query(
      `INSERT INTO persisted_grant
         (id, type, handle_hash, client_id, subject, family_id, created_at, expires_at, consumed_at, payload)
       VALUES ($1, 'consent', $2, $3, $4, $5, $6, $7, NULL, $8)`,
      [
        randomUUID(),
        handleHash(`consent:${subject}:${clientId}`),
        clientId,
        subject,
        randomUUID(),
        createdAt,
        times.expiresAt ?? createdAt + 365 * 24 * HOUR,
        JSON.stringify({ scopes }),
      ],
    );
  }
  /** Access and refresh token of `username` at `client`. */
  async function tokensOf(client: Registered, username: string) {
    const result = await service.postForm(
      '/token',
      { grant_type: 'password', username, password: PASSWORD, scope: 'openid profile' },
      { basic: [client.client_id, client.client_secret!] },
    );
    expect(result.status).toBe(200);
    return result.body as { access_token: string; refresh_token: string };
  }
  const refresh = (client: Registered, refreshToken: string) =>
    service.postForm(
      '/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { basic: [client.client_id, client.client_secret!] },
    );
  const consentRows = async (subject: string) =>
    (await allGrantRows(service.db)).filter(
      (row) => row.type === 'consent' && row.subject === subject,
    );

  beforeAll(async () => {
    service = await startTestApp();
    alice = await service.createUser({ username: 'alice', password: PASSWORD });
    bob = await service.createUser({ username: 'bob', password: PASSWORD });
    const metadata = {
      grant_types: ['password', 'refresh_token'],
      scope: 'openid profile email',
      access_token_format: 'reference',
    };
    photos = await service.createClient({ client_id: 'photos', ...metadata });
    calendar = await service.createClient({ client_id: 'calendar', ...metadata });
  });
  afterAll(() => service.close());

  describe('GET /admin/users/{id}/consents', () => {
    it('when the user has consented to nothing then the list is empty', async () => {
      const carol = await service.createUser({ username: 'carol', password: PASSWORD });

      const result = await service.admin('GET', `/admin/users/${carol.id}/consents`);

      expect({ status: result.status, body: result.body }).toEqual({
        status: 200,
        body: { items: [] },
      });
      expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    });

    it('when the user has consents then each client comes with its scopes and time of grant, oldest first', async () => {
      const dave = await service.createUser({ username: 'dave', password: PASSWORD });
      const now = Date.now();
      await insertConsent(dave.id, 'photos', ['openid', 'profile'], { createdAt: now - 2 * HOUR });
      await insertConsent(dave.id, 'calendar', ['openid', 'email'], { createdAt: now - HOUR });
      // Not dave's, not a consent, or no longer valid: none of these is listed.
      await insertConsent(bob.id, 'photos', ['openid']);
      await insertConsent(dave.id, 'gone-app', ['openid'], {
        createdAt: now - 2 * HOUR,
        expiresAt: now - HOUR,
      });
      await tokensOf(photos, 'dave');

      const result = await service.admin('GET', `/admin/users/${dave.id}/consents`);

      expect({ status: result.status, body: result.body }).toEqual({
        status: 200,
        body: {
          items: [
            {
              client_id: 'photos',
              scopes: ['openid', 'profile'],
              granted_at: Math.floor((now - 2 * HOUR) / 1000),
            },
            {
              client_id: 'calendar',
              scopes: ['openid', 'email'],
              granted_at: Math.floor((now - HOUR) / 1000),
            },
          ],
        },
      });
    });

    it('when no user has the id then 404', async () => {
      const id = randomUUID();

      const result = await service.admin('GET', `/admin/users/${id}/consents`);

      expectProblem(result, 404, { detail: `no user "${id}"` });
    });

    it('when the id is not a UUID then 404', async () => {
      const result = await service.admin('GET', '/admin/users/not-a-uuid/consents');

      expectProblem(result, 404, { detail: 'Validation failed (uuid v 4 is expected)' });
    });

    it('when the caller has no admin token then 401, and with a token without scope admin then 403', async () => {
      const anonymous = await service.request('GET', `/admin/users/${alice.id}/consents`);
      const { access_token } = await tokensOf(photos, 'alice');
      const unprivileged = await service.request('GET', `/admin/users/${alice.id}/consents`, {
        headers: { authorization: `Bearer ${access_token}` },
      });

      expectProblem(anonymous, 401, {
        detail: 'a bearer access token is required in the Authorization header',
      });
      expectProblem(unprivileged, 403, { detail: 'the access token lacks scope "admin"' });
    });
  });

  describe('DELETE /admin/users/{id}/consents/{client_id}', () => {
    it('when a consent is withdrawn then 204, and it goes with the refresh and reference access tokens of that client for that user only', async () => {
      const erin = await service.createUser({ username: 'erin', password: PASSWORD });
      await insertConsent(erin.id, 'photos', ['openid', 'profile']);
      await insertConsent(erin.id, 'calendar', ['openid']);
      await insertConsent(alice.id, 'photos', ['openid']);
      const erinPhotos = await tokensOf(photos, 'erin');
      const erinCalendar = await tokensOf(calendar, 'erin');
      const alicePhotos = await tokensOf(photos, 'alice');
      const before = await allGrantRows(service.db);

      const result = await service.admin('DELETE', `/admin/users/${erin.id}/consents/photos`);

      expect({ status: result.status, body: result.body }).toEqual({ status: 204, body: '' });
      const after = await allGrantRows(service.db);
      const gone = before.filter((row) => !after.some((kept) => kept.id === row.id));
      expect(gone.map((row) => [row.type, row.client_id, row.subject])).toEqual(
        expect.arrayContaining([
          ['access_token', 'photos', erin.id],
          ['consent', 'photos', erin.id],
          ['refresh_token', 'photos', erin.id],
        ]),
      );
      expect(gone).toHaveLength(3);
      expect(after).toHaveLength(before.length - 3);
      expect(await grantRowOf(service.db, erinPhotos.refresh_token)).toBeUndefined();
      expect(await grantRowOf(service.db, erinPhotos.access_token)).toBeUndefined();
      expect((await service.admin('GET', `/admin/users/${erin.id}/consents`)).body).toEqual({
        items: [{ client_id: 'calendar', scopes: ['openid'], granted_at: expect.any(Number) }],
      });

      // The withdrawn client's tokens no longer work; the others still do.
      expect((await refresh(photos, erinPhotos.refresh_token)).body.error).toBe('invalid_grant');
      const userinfo = (token: string) =>
        service.request('GET', '/userinfo', { headers: { authorization: `Bearer ${token}` } });
      expect((await userinfo(erinPhotos.access_token)).status).toBe(401);
      expect((await userinfo(erinCalendar.access_token)).status).toBe(200);
      expect((await userinfo(alicePhotos.access_token)).status).toBe(200);
      expect((await refresh(calendar, erinCalendar.refresh_token)).status).toBe(200);
      expect((await refresh(photos, alicePhotos.refresh_token)).status).toBe(200);
    });

    it('when a consent is withdrawn then the token ids revoked before stay revoked', async () => {
      const frank = await service.createUser({ username: 'frank', password: PASSWORD });
      const jwtApp = await service.createClient({
        grant_types: ['password'],
        scope: 'openid profile',
      });
      await insertConsent(frank.id, jwtApp.client_id, ['openid']);
      const { access_token } = await tokensOf(jwtApp, 'frank');
      await service.postForm(
        '/revoke',
        { token: access_token },
        { basic: [jwtApp.client_id, jwtApp.client_secret!] },
      );
      const revokedJwts = (await allGrantRows(service.db)).filter(
        (row) => row.type === 'revoked_jwt',
      );
      expect(revokedJwts.length).toBeGreaterThan(0);

      const result = await service.admin(
        'DELETE',
        `/admin/users/${frank.id}/consents/${jwtApp.client_id}`,
      );

      expect(result.status).toBe(204);
      expect((await allGrantRows(service.db)).filter((row) => row.type === 'revoked_jwt')).toEqual(
        revokedJwts,
      );
    });

    it('when the same consent is withdrawn twice then the second is 404 and writes nothing', async () => {
      const grace = await service.createUser({ username: 'grace', password: PASSWORD });
      await insertConsent(grace.id, 'photos', ['openid']);
      expect(
        (await service.admin('DELETE', `/admin/users/${grace.id}/consents/photos`)).status,
      ).toBe(204);

      const result = await withoutWrites(service.db, () =>
        service.admin('DELETE', `/admin/users/${grace.id}/consents/photos`),
      );

      expectProblem(result, 404, {
        detail: `user "${grace.id}" has no consent for client "photos"`,
      });
    });

    it('when the user has tokens of a client but never consented to it then 404 and the tokens stay', async () => {
      const heidi = await service.createUser({ username: 'heidi', password: PASSWORD });
      const tokens = await tokensOf(calendar, 'heidi');

      const result = await withoutWrites(service.db, () =>
        service.admin('DELETE', `/admin/users/${heidi.id}/consents/calendar`),
      );

      expectProblem(result, 404, {
        detail: `user "${heidi.id}" has no consent for client "calendar"`,
      });
      expect(await grantRowOf(service.db, tokens.refresh_token)).toBeDefined();
    });

    it('when the consent has expired then it counts as absent: 404 and nothing is written', async () => {
      const ivan = await service.createUser({ username: 'ivan', password: PASSWORD });
      await insertConsent(ivan.id, 'photos', ['openid'], {
        createdAt: Date.now() - 2 * HOUR,
        expiresAt: Date.now() - HOUR,
      });
      await tokensOf(photos, 'ivan');

      const result = await withoutWrites(service.db, () =>
        service.admin('DELETE', `/admin/users/${ivan.id}/consents/photos`),
      );

      expectProblem(result, 404, {
        detail: `user "${ivan.id}" has no consent for client "photos"`,
      });
    });

    it('when no user has the id then 404 and nothing is written', async () => {
      const id = randomUUID();
      await insertConsent(id, 'photos', ['openid']);

      const result = await withoutWrites(service.db, () =>
        service.admin('DELETE', `/admin/users/${id}/consents/photos`),
      );

      expectProblem(result, 404, { detail: `no user "${id}"` });
      expect(await consentRows(id)).toHaveLength(1);
    });

    it('when the caller has no admin token then 401 and nothing is written', async () => {
      await insertConsent(bob.id, 'calendar', ['openid']);

      const result = await withoutWrites(service.db, () =>
        service.request('DELETE', `/admin/users/${bob.id}/consents/calendar`),
      );

      expectProblem(result, 401, {
        detail: 'a bearer access token is required in the Authorization header',
      });
    });
  });
});
