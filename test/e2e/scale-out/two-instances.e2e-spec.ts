import { decodeProtectedHeader } from 'jose';
import {
  authorizeUrl,
  alertText,
  isLoginPage,
  pkcePair,
  submitLogin,
  UserAgent,
  type AgentResponse,
} from '../authorize/user-agent.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { uniqueIssuer, within } from './scale-out-support.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
const PASSWORD = 'correct horse battery staple';
const REDIRECT_URI = 'https://rp.example.test/cb';
const INVALID_REFRESH_TOKEN = {
  error: 'invalid_grant',
  error_description: 'the refresh token is invalid, expired or revoked',
};

/**
 * Two instances of one issuer on two ports, one PostgreSQL database and one
 * Redis, no sticky sessions: what one does, the other sees.
 */
describe.skipIf(process.env.TEST_DATABASE !== 'postgres' || !REDIS_URL)(
  'two instances behind one issuer (PostgreSQL and Redis)',
  () => {
    let db: TestDatabase;
    let a: TestApp;
    let b: TestApp;
    let service: RegisteredClient;
    let legacy: RegisteredClient;

    beforeAll(async () => {
      db = await createTestDatabase();
      const env = { ISSUER: uniqueIssuer(), REDIS_URL: REDIS_URL! };
      a = await startTestApp({ db, env });
      b = await startTestApp({ db, env });
      service = await a.createClient({
        grant_types: ['client_credentials'],
        scope: 'orders:read',
      });
      legacy = await a.createClient({
        grant_types: ['password', 'refresh_token'],
        scope: 'profile',
      });
      await a.createUser({ username: 'alice', password: PASSWORD });
    });
    afterAll(async () => {
      await a?.close({ dropDatabase: false });
      await b?.close();
    });

    const clientCredentials = (on: TestApp, client: RegisteredClient, secret?: string) =>
      on.postForm(
        '/token',
        { grant_type: 'client_credentials', scope: 'orders:read' },
        { basic: [client.client_id, secret ?? client.client_secret!] },
      );
    const introspect = (on: TestApp, token: string) =>
      on.postForm('/introspect', { token }, { basic: [service.client_id, service.client_secret!] });

    it.each(['jwt', 'reference'])(
      'when a %s access token is issued by A then B introspects it active, B revokes it and A then finds it inactive',
      async (format) => {
        const client = await a.createClient({
          grant_types: ['client_credentials'],
          scope: 'orders:read',
          access_token_format: format,
        });
        const issued = await clientCredentials(a, client);
        expect(issued.status).toBe(200);
        const token = issued.body.access_token as string;

        const onB = await introspect(b, token);
        expect(onB.status).toBe(200);
        expect(onB.body).toMatchObject({
          active: true,
          client_id: client.client_id,
          scope: 'orders:read',
        });

        const revoked = await b.postForm(
          '/revoke',
          { token },
          { basic: [client.client_id, client.client_secret!] },
        );
        expect(revoked.status).toBe(200);
        expect((await introspect(a, token)).body).toEqual({ active: false });
        expect((await introspect(b, token)).body).toEqual({ active: false });
      },
    );

    it('when a refresh token issued by A is rotated on B then its reuse on A is detected and the family revoked', async () => {
      const basic: [string, string] = [legacy.client_id, legacy.client_secret!];
      const first = await a.postForm(
        '/token',
        { grant_type: 'password', username: 'alice', password: PASSWORD, scope: 'profile' },
        { basic },
      );
      expect(first.status).toBe(200);
      const refresh = (on: TestApp, refreshToken: string) =>
        on.postForm(
          '/token',
          { grant_type: 'refresh_token', refresh_token: refreshToken },
          { basic },
        );

      const rotated = await refresh(b, first.body.refresh_token as string);
      expect(rotated.status).toBe(200);
      expect(rotated.body.refresh_token).not.toBe(first.body.refresh_token);

      const reused = await refresh(a, first.body.refresh_token as string);
      expect({ status: reused.status, body: reused.body }).toEqual({
        status: 400,
        body: INVALID_REFRESH_TOKEN,
      });
      // The whole family went: the token B issued stops working on either instance.
      const newest = await refresh(b, rotated.body.refresh_token as string);
      expect({ status: newest.status, body: newest.body }).toEqual({
        status: 400,
        body: INVALID_REFRESH_TOKEN,
      });
    });

    it('when a client loses a grant type on A then B refuses that grant within a second (B had it cached)', async () => {
      const client = await a.createClient({
        grant_types: ['client_credentials', 'password'],
        scope: 'orders:read',
      });
      expect((await clientCredentials(b, client)).status).toBe(200);

      const changed = await a.admin('PATCH', `/admin/clients/${client.client_id}`, {
        grant_types: ['password'],
      });
      expect(changed.status).toBe(200);

      const { value, elapsedMs } = await within(1_000, async () => {
        const result = await clientCredentials(b, client);
        return result.status === 200 ? undefined : result;
      });
      expect(elapsedMs).toBeLessThan(1_000);
      expect({ status: value?.status, body: value?.body }).toEqual({
        status: 400,
        body: {
          error: 'unauthorized_client',
          error_description: `the client is not allowed to use grant_type 'client_credentials'`,
        },
      });
    });

    it('when a client is deleted on A then B refuses it within a second (B had it cached)', async () => {
      const client = await a.createClient({
        grant_types: ['client_credentials'],
        scope: 'orders:read',
      });
      expect((await clientCredentials(b, client)).status).toBe(200);

      expect((await a.admin('DELETE', `/admin/clients/${client.client_id}`)).status).toBe(204);

      const { value, elapsedMs } = await within(1_000, async () => {
        const result = await clientCredentials(b, client);
        return result.status === 200 ? undefined : result;
      });
      expect(elapsedMs).toBeLessThan(1_000);
      expect({ status: value?.status, body: value?.body }).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'client authentication failed' },
      });
    });

    it('when keys are rotated on A then B signs with the promoted key within a second and publishes the new next key', async () => {
      const keysBefore = (await a.admin('GET', '/admin/keys')).body.items as KeyItem[];
      const promoted = keyOf(keysBefore, 'ES256', 'next');
      const retiring = keyOf(keysBefore, 'ES256', 'current');
      // B signs with the current key before the rotation.
      expect(kidOf(await clientCredentials(b, service))).toBe(retiring);

      const rotated = await a.admin('POST', '/admin/keys/rotate', { alg: 'ES256' });
      expect(rotated.status).toBe(200);
      const keysAfter = rotated.body.items as KeyItem[];
      expect(keyOf(keysAfter, 'ES256', 'current')).toBe(promoted);
      const fresh = keyOf(keysAfter, 'ES256', 'next');

      const { value: signedOnB, elapsedMs } = await within(1_000, async () => {
        const result = await clientCredentials(b, service);
        return kidOf(result) === promoted ? result : undefined;
      });
      expect(elapsedMs).toBeLessThan(1_000);
      expect(kidOf(await clientCredentials(a, service))).toBe(promoted);

      // B publishes what A publishes: the promoted key, the new next one, and the retired one.
      const jwksOfB = (await b.request('GET', '/jwks')).body.keys as Array<{ kid: string }>;
      const kidsOfB = jwksOfB.map((key) => key.kid);
      expect(kidsOfB).toEqual(expect.arrayContaining([promoted, fresh, retiring]));
      const kidsOfA = ((await a.request('GET', '/jwks')).body.keys as Array<{ kid: string }>).map(
        (key) => key.kid,
      );
      expect([...kidsOfB].sort()).toEqual([...kidsOfA].sort());

      // Each verifies what the other signed.
      expect((await introspect(a, signedOnB!.body.access_token as string)).body.active).toBe(true);
      const signedOnA = await clientCredentials(a, service);
      expect((await introspect(b, signedOnA.body.access_token as string)).body.active).toBe(true);
    });

    it('when sign-ins of one account fail on A and B alike then the sixth is refused on either (shared counters)', async () => {
      const web = await a.createClient({
        grant_types: ['authorization_code'],
        redirect_uris: [REDIRECT_URI],
        scope: 'openid',
      });
      const user = await a.createUser({ username: 'bob', password: PASSWORD });
      const attempt = async (on: TestApp, password: string): Promise<AgentResponse> => {
        const browser = new UserAgent(on.issuer);
        const page = await browser.get(
          authorizeUrl(on, {
            client_id: web.client_id,
            redirect_uri: REDIRECT_URI,
            response_type: 'code',
            scope: 'openid',
            code_challenge: pkcePair().challenge,
            code_challenge_method: 'S256',
          }),
        );
        expect(isLoginPage(page)).toBe(true);
        return submitLogin(browser, page, { username: user.username, password });
      };
      for (const [index, on] of [a, b, a, b, a].entries()) {
        expect((await attempt(on, `wrong-${index}`)).status).toBe(401);
      }
      for (const on of [b, a]) {
        const blocked = await attempt(on, PASSWORD);
        expect({ status: blocked.status, alert: alertText(blocked.text) }).toEqual({
          status: 429,
          alert: 'Too many failed sign-in attempts. Try again later.',
        });
      }
    });
  },
);

interface KeyItem {
  kid: string;
  alg: string;
  state: string;
}

function keyOf(keys: KeyItem[], alg: string, state: string): string {
  const found = keys.filter((key) => key.alg === alg && key.state === state);
  expect(found).toHaveLength(1);
  return found[0]!.kid;
}

function kidOf(result: { status: number; body: any }): string | undefined {
  expect(result.status).toBe(200);
  return decodeProtectedHeader(result.body.access_token as string).kid;
}
