import { decodeJwt } from 'jose';
import {
  expectOAuthError,
  expectProblem,
  JSON_CONTENT_TYPE,
  withoutWrites,
} from '../../support/expectations.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';

type Body = Record<string, any>;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INVALID = 'invalid request body';
const WRONG_PASSWORD = 'the username or password is wrong';
const field = (pointer: string, ...details: string[]) =>
  details.map((detail) => ({ pointer, detail }));

describe('admin API: /admin/users', () => {
  let service: TestApp;
  let passwordClient: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    passwordClient = await service.createClient({
      grant_types: ['password', 'refresh_token'],
      scope: 'read write',
    });
  });
  afterAll(() => service.close());

  const passwordGrant = (username: string, password: string) =>
    service.postForm(
      '/token',
      { grant_type: 'password', username, password, scope: 'read' },
      { basic: [passwordClient.client_id, passwordClient.client_secret!] },
    );
  const storedHash = async (id: string) =>
    (
      await service.db.query<{ password_hash: string }>(
        'SELECT password_hash FROM app_user WHERE id = $1',
        [id],
      )
    )[0]?.password_hash;

  describe('POST /admin/users', () => {
    it('when a user is created then 201 with id, username and claims, never the password, which is stored as argon2id', async () => {
      const password = 'correct horse battery staple';

      const result = await service.admin('POST', '/admin/users', {
        username: 'alice',
        password,
        email: 'alice@example.com',
        email_verified: true,
        name: 'Alice Liddell',
        address: { locality: 'Oxford', country: 'GB' },
      });

      expect(result.status).toBe(201);
      expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
      expect(result.body).toEqual({
        id: expect.stringMatching(UUID_V4),
        username: 'alice',
        email: 'alice@example.com',
        email_verified: true,
        name: 'Alice Liddell',
        address: { locality: 'Oxford', country: 'GB' },
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
      });
      expect(result.body.created_at).toBe(result.body.updated_at);
      expect(JSON.stringify(result.body)).not.toContain(password);
      expect(JSON.stringify(result.body)).not.toContain('argon2');
      const hash = await storedHash(result.body.id);
      expect(hash).toMatch(/^\$argon2id\$/);
      expect(hash).not.toContain(password);
    });

    it('when the username is taken then 409 and nothing is written', async () => {
      await service.createUser({ username: 'taken', password: 'password-one' });

      const result = await withoutWrites(service.db, () =>
        service.admin('POST', '/admin/users', { username: 'taken', password: 'password-two' }),
      );

      expectProblem(result, 409, { detail: 'username "taken" is taken' });
    });

    it.each(
      [
        {
          case: 'the password is shorter than 8 characters',
          user: { username: 'shorty', password: 'seven77' },
          errors: field('/password', 'password must be longer than or equal to 8 characters'),
        },
        {
          case: 'the e-mail address is invalid',
          user: { username: 'mailer', password: 'long enough', email: 'not-an-address' },
          errors: field('/email', 'email must be an email'),
        },
        {
          case: 'an unknown field is sent',
          user: { username: 'extra', password: 'long enough', role: 'root' },
          errors: field('/role', 'is not a known field'),
        },
        {
          case: 'a password hash is sent instead of a password',
          user: { username: 'hasher', password: 'long enough', password_hash: '$argon2id$x' },
          errors: field('/password_hash', 'is not a known field'),
        },
        {
          case: 'an unknown address member is sent',
          user: { username: 'addressed', password: 'long enough', address: { planet: 'Mars' } },
          errors: field('/address/planet', 'is not a known field'),
        },
        {
          case: 'the username has a space',
          user: { username: 'bad name', password: 'long enough' },
          errors: field(
            '/username',
            'username must be 1 to 255 characters without spaces or control characters',
          ),
        },
        {
          case: 'email_verified is a string',
          user: { username: 'verified', password: 'long enough', email_verified: 'yes' },
          errors: field('/email_verified', 'email_verified must be a boolean value'),
        },
        {
          case: 'the password is missing',
          user: { username: 'nopassword' },
          errors: field(
            '/password',
            'password must be shorter than or equal to 1024 characters',
            'password must be longer than or equal to 8 characters',
            'password must be a string',
          ),
        },
      ].map((example) => [example.case, example] as const),
    )(
      'when %s then 400 naming the field and nothing is written',
      async (_case, { user, errors }) => {
        const result = await withoutWrites(service.db, () =>
          service.admin('POST', '/admin/users', user),
        );

        expectProblem(result, 400, { detail: INVALID, errors });
      },
    );
  });

  describe('GET, PATCH and DELETE /admin/users/{id}', () => {
    it('when a user is read back then it is as created, without the password', async () => {
      const created = await service.createUser({
        username: 'reader',
        password: 'long enough',
        given_name: 'Rea',
      });

      const result = await service.admin('GET', `/admin/users/${created.id}`);

      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
      expect(result.body).toEqual(created);
    });

    it('when the id is not a UUID then 404', async () => {
      const result = await service.admin('GET', '/admin/users/not-a-uuid');

      expectProblem(result, 404, { detail: 'Validation failed (uuid v 4 is expected)' });
    });

    it('when no user has the id then GET, PATCH and DELETE are 404 and nothing is written', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      const missing = { detail: `no user "${id}"` };

      expectProblem(await service.admin('GET', `/admin/users/${id}`), 404, missing);
      expectProblem(
        await withoutWrites(service.db, () =>
          service.admin('PATCH', `/admin/users/${id}`, { name: 'Nobody' }),
        ),
        404,
        missing,
      );
      expectProblem(
        await withoutWrites(service.db, () => service.admin('DELETE', `/admin/users/${id}`)),
        404,
        missing,
      );
    });

    it('when a user is patched then the given claims change and the others stay', async () => {
      const created = await service.createUser({
        username: 'patched',
        password: 'long enough',
        name: 'Old Name',
        email: 'old@example.com',
        locale: 'en-GB',
      });

      const result = await service.admin('PATCH', `/admin/users/${created.id}`, {
        name: 'New Name',
        email: 'new@example.com',
      });

      expect(result.status).toBe(200);
      expect(result.body).toEqual({
        ...created,
        name: 'New Name',
        email: 'new@example.com',
        updated_at: expect.any(Number),
      });
      expect(result.body.updated_at).toBeGreaterThanOrEqual(created.updated_at);
      expect((await service.admin('GET', `/admin/users/${created.id}`)).body).toEqual(result.body);
    });

    it('when a patch gives a claim as null then the claim is removed (RFC 7396)', async () => {
      const created = await service.createUser({
        username: 'unnamed',
        password: 'long enough',
        name: 'To Be Removed',
        nickname: 'Stays',
      });

      const result = await service.admin('PATCH', `/admin/users/${created.id}`, { name: null });

      expect(result.status).toBe(200);
      const { name: _removed, ...rest } = created;
      expect(result.body).toEqual({ ...rest, updated_at: expect.any(Number) });
    });

    let refusedUsers = 0;
    it.each(
      [
        {
          case: 'the username is null',
          patch: { username: null },
          errors: field(
            '/username',
            'username must be 1 to 255 characters without spaces or control characters',
            'username must be a string',
          ),
        },
        {
          case: 'the password is null',
          patch: { password: null },
          errors: field(
            '/password',
            'password must be shorter than or equal to 1024 characters',
            'password must be longer than or equal to 8 characters',
            'password must be a string',
          ),
        },
        {
          case: 'the new password is too short',
          patch: { password: 'short' },
          errors: field('/password', 'password must be longer than or equal to 8 characters'),
        },
        {
          case: 'the e-mail address is invalid',
          patch: { email: 'nope' },
          errors: field('/email', 'email must be an email'),
        },
        {
          case: 'an unknown field is sent',
          patch: { id: '00000000-0000-4000-8000-000000000000' },
          errors: field('/id', 'is not a known field'),
        },
      ].map((example) => [example.case, example] as const),
    )(
      'when a patch is refused because %s then 400 and the user is unchanged',
      async (_case, { patch, errors }) => {
        const user = await service.createUser({
          username: `refused-${++refusedUsers}`,
          password: 'long enough',
        });

        const result = await withoutWrites(service.db, () =>
          service.admin('PATCH', `/admin/users/${user.id}`, patch),
        );

        expectProblem(result, 400, { detail: INVALID, errors });
      },
    );

    it('when a patch takes a username that is taken then 409 and the user is unchanged', async () => {
      await service.createUser({ username: 'first-come', password: 'long enough' });
      const second = await service.createUser({ username: 'second', password: 'long enough' });

      const result = await withoutWrites(service.db, () =>
        service.admin('PATCH', `/admin/users/${second.id}`, { username: 'first-come' }),
      );

      expectProblem(result, 409, { detail: 'username "first-come" is taken' });
    });

    it('when a user is deleted then 204 and then 404', async () => {
      const created = await service.createUser({ username: 'leaving', password: 'long enough' });

      const result = await service.admin('DELETE', `/admin/users/${created.id}`);

      expect(result.status).toBe(204);
      expect(result.body).toBe('');
      expect(await service.db.query('SELECT id FROM app_user WHERE id = $1', [created.id])).toEqual(
        [],
      );
      expectProblem(await service.admin('GET', `/admin/users/${created.id}`), 404, {
        detail: `no user "${created.id}"`,
      });
    });
  });

  describe('GET /admin/users (pagination)', () => {
    it('when every page is walked with a small limit then each user appears exactly once', async () => {
      for (let index = 0; index < 5; index++) {
        await service.createUser({ username: `pager-${index}`, password: 'long enough' });
      }
      const stored = (await service.db.query<{ id: string }>('SELECT id FROM app_user')).map(
        (row) => row.id,
      );

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const query = cursor === undefined ? '?limit=3' : `?limit=3&cursor=${cursor}`;
        const result = await service.admin('GET', `/admin/users${query}`);
        expect(result.status).toBe(200);
        expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
        expect(result.body.items.length).toBeGreaterThan(0);
        expect(result.body.items.length).toBeLessThanOrEqual(3);
        for (const item of result.body.items as Body[]) {
          expect(item).not.toHaveProperty('password');
          expect(item).not.toHaveProperty('password_hash');
          expect(item).not.toHaveProperty('passwordHash');
        }
        seen.push(...result.body.items.map((item: Body) => item.id));
        cursor = result.body.next_cursor;
        pages++;
      } while (cursor !== undefined && pages < 100);

      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...stored].sort());
      expect(pages).toBe(Math.ceil(stored.length / 3));
    });

    it('when the cursor or the limit is invalid then 400', async () => {
      expectProblem(await service.admin('GET', '/admin/users?cursor=*'), 400, {
        detail: 'cursor is not valid',
      });
      expectProblem(await service.admin('GET', '/admin/users?limit=500'), 400, {
        detail: INVALID,
        errors: field('/limit', 'limit must not be greater than 200'),
      });
    });
  });

  describe('the users at the token endpoint', () => {
    it('when a created user signs in with the password grant then the tokens are theirs', async () => {
      const user = await service.createUser({ username: 'grantee', password: 'sesame-open-42' });

      const result = await passwordGrant('grantee', 'sesame-open-42');

      expect(result.status).toBe(200);
      expect(result.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'read',
        refresh_token: expect.any(String),
      });
      expect(decodeJwt(result.body.access_token)).toMatchObject({
        sub: user.id,
        client_id: passwordClient.client_id,
        scope: 'read',
      });
      expectOAuthError(
        await passwordGrant('grantee', 'sesame-open-43'),
        400,
        'invalid_grant',
        WRONG_PASSWORD,
      );
    });

    it('when the password is changed then the old one fails and the new one works', async () => {
      const user = await service.createUser({ username: 'changer', password: 'first-password' });
      const oldHash = await storedHash(user.id);
      expect((await passwordGrant('changer', 'first-password')).status).toBe(200);

      const patched = await service.admin('PATCH', `/admin/users/${user.id}`, {
        password: 'second-password',
      });

      expect(patched.status).toBe(200);
      expect(JSON.stringify(patched.body)).not.toContain('second-password');
      const newHash = await storedHash(user.id);
      expect(newHash).toMatch(/^\$argon2id\$/);
      expect(newHash).not.toBe(oldHash);
      expectOAuthError(
        await passwordGrant('changer', 'first-password'),
        400,
        'invalid_grant',
        WRONG_PASSWORD,
      );
      expect((await passwordGrant('changer', 'second-password')).status).toBe(200);
    });

    it("when a user is deleted then their refresh tokens are gone and can't be redeemed", async () => {
      const user = await service.createUser({ username: 'departing', password: 'departing-pw' });
      const tokens = await passwordGrant('departing', 'departing-pw');
      expect(tokens.status).toBe(200);
      const rowsOf = () =>
        service.db.query('SELECT id FROM persisted_grant WHERE subject = $1', [user.id]);
      expect(await rowsOf()).toHaveLength(1);

      expect((await service.admin('DELETE', `/admin/users/${user.id}`)).status).toBe(204);

      expect(await rowsOf()).toEqual([]);
      expectOAuthError(
        await service.postForm(
          '/token',
          { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token },
          { basic: [passwordClient.client_id, passwordClient.client_secret!] },
        ),
        400,
        'invalid_grant',
        'the refresh token is invalid, expired or revoked',
      );
      expectOAuthError(
        await passwordGrant('departing', 'departing-pw'),
        400,
        'invalid_grant',
        WRONG_PASSWORD,
      );
    });
  });
});
