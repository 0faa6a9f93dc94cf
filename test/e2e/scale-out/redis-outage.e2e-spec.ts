import { Redis } from 'ioredis';
import { SharedStateHealth } from '../../../src/shared-state/shared-state-health.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  alertText,
  authorizeUrl,
  isConsentPage,
  isLoginPage,
  pkcePair,
  submitLogin,
  UserAgent,
} from '../authorize/user-agent.js';
import { deviceAuthorization, poll } from '../device-flow/device-flow-support.js';
import { assertionClaims, partyKey, type PartyKey, signAssertion } from '../trust/assertions.js';
import { PrivateRedis, REDIS_SERVER_AVAILABLE } from './redis-server.js';
import { subscribedInvalidationChannels, within } from './scale-out-support.js';

const PASSWORD = 'correct horse battery staple';
const REDIRECT_URI = 'https://rp.example.test/cb';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Redis stopped under a running service (a redis-server of this test's own,
 * killed and started again on the same port): the service keeps serving
 * what does not need Redis, refuses what must not run without it, says so
 * in its health check, and recovers by itself.
 */
describe.skipIf(!REDIS_SERVER_AVAILABLE)('Redis outage', () => {
  let redis: PrivateRedis;
  let service: TestApp;
  let health: SharedStateHealth;
  let machine: RegisteredClient;
  let web: RegisteredClient;
  let device: RegisteredClient;
  let jwtClient: RegisteredClient;
  let clientKey: PartyKey;
  let user: { username: string };

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    service = await startTestApp({ env: { REDIS_URL: redis.url } });
    health = service.app.get(SharedStateHealth);
    clientKey = await partyKey('outage-client-key');
    machine = await service.createClient({ grant_types: ['client_credentials'], scope: 'read' });
    web = await service.createClient({
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid',
      require_consent: true,
    });
    device = await service.createClient({
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
      scope: 'openid',
    });
    jwtClient = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [clientKey.publicJwk] },
    });
    await service.createUser({ username: 'carol', password: PASSWORD });
    user = { username: 'carol' };
  });
  afterAll(async () => {
    await service?.close();
    await redis?.kill();
  });

  const clientCredentials = () =>
    service.postForm(
      '/token',
      { grant_type: 'client_credentials', scope: 'read' },
      { basic: [machine.client_id, machine.client_secret!] },
    );
  const signIn = async (password: string) => {
    const browser = new UserAgent(service.issuer);
    const page = await browser.get(
      authorizeUrl(service, {
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
  const withAssertion = (assertion: string) =>
    service.postForm('/token', {
      grant_type: 'client_credentials',
      scope: 'read',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    });
  const freshAssertion = () =>
    signAssertion(
      clientKey,
      assertionClaims(jwtClient.client_id, jwtClient.client_id, `${service.issuer}/token`),
    );

  it('when Redis is up then the health check is up and sign-ins are counted', async () => {
    expect(await health.check()).toEqual({ up: true });
    expect((await signIn('wrong')).status).toBe(401);
  });

  it('when Redis is killed then the service keeps serving safely, reports it down and recovers by itself once Redis is back', async () => {
    await redis.kill();

    // Readiness says so, at once.
    const { value: down } = await within(2_000, async () => {
      const status = await health.check();
      return status.up ? undefined : status;
    });
    expect(down).toEqual({ up: false, detail: expect.stringMatching(/^redis: /) });
    const notReady = await service.request('GET', '/health/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body.error).toEqual({
      shared_state: { status: 'down', message: expect.stringMatching(/^redis: /) },
    });

    // Tokens still issue, without waiting on Redis.
    const started = Date.now();
    const issued = await clientCredentials();
    expect(issued.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);

    // Replay checks fail closed: a used client assertion stays used (the jti record is in the database).
    const assertion = await freshAssertion();
    expect((await withAssertion(assertion)).status).toBe(200);
    const replay = await withAssertion(assertion);
    expect({ status: replay.status, body: replay.body }).toEqual({
      status: 400,
      body: {
        error: 'invalid_client',
        error_description: 'the client assertion was already used: its jti has been seen before',
      },
    });

    // The login throttle fails closed: no password is checked, not even the right one; fast, no 500.
    const loginStarted = Date.now();
    const refused = await signIn(PASSWORD);
    expect({
      status: refused.status,
      login: isLoginPage(refused),
      alert: alertText(refused.text),
    }).toEqual({
      status: 503,
      login: true,
      alert: 'Signing in is temporarily unavailable. Try again in a moment.',
    });
    expect(Date.now() - loginStarted).toBeLessThan(1_000);

    // Device polling pacing fails open: the device code is still checked in the database.
    const authorization = await deviceAuthorization(service, device, { scope: 'openid' });
    expect(authorization.status).toBe(200);
    for (let attempt = 0; attempt < 2; attempt++) {
      const pending = await poll(service, device, authorization.body.device_code as string);
      expect({ status: pending.status, body: pending.body }).toEqual({
        status: 400,
        body: {
          error: 'authorization_pending',
          error_description: 'the user has not yet approved the request',
        },
      });
    }

    // The admin API still changes clients (the invalidation is lost; cache lifetimes bound it).
    const patched = await service.admin('PATCH', `/admin/clients/${machine.client_id}`, {
      client_name: 'Machine',
    });
    expect(patched.status).toBe(200);

    // Redis comes back on the same port: the service finds it by itself.
    await redis.start();
    const { value: up } = await within(5_000, async () => {
      const status = await health.check();
      return status.up ? status : undefined;
    });
    expect(up).toEqual({ up: true });
    expect((await service.request('GET', '/health/ready')).status).toBe(200);

    const consent = await signIn(PASSWORD);
    expect(isConsentPage(consent)).toBe(true);
    expect((await signIn('wrong')).status).toBe(401);

    // The subscriber connection subscribes again to every invalidation channel (it reconnects
    // on its own schedule, which may come after the command connection's).
    const probe = new Redis(redis.url);
    try {
      expect(await subscribedInvalidationChannels(probe, 3)).toEqual([
        'clients',
        'keys',
        'trusted-issuers',
      ]);
    } finally {
      probe.disconnect();
    }
  });
});
