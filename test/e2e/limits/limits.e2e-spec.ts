import { expectOAuthError } from '../../support/expectations.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';

const PASSWORD = 'correct horse battery staple';

describe('limits on failures (FAILURE_LIMITS=on, the default)', () => {
  let service: TestApp;
  let machine: RegisteredClient;
  let app: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp({ env: { FAILURE_LIMITS: 'on' } });
    machine = await service.createClient({ grant_types: ['client_credentials'] });
    app = await service.createClient({ grant_types: ['password'], scope: 'openid' });
    await service.createUser({ username: 'carol', password: PASSWORD });
  });
  afterAll(() => service.close());

  const clientCredentials = (secret: string) =>
    service.postForm(
      '/token',
      { grant_type: 'client_credentials' },
      { basic: [machine.client_id, secret] },
    );
  const password = (value: string) =>
    service.postForm(
      '/token',
      { grant_type: 'password', username: 'carol', password: value },
      { basic: [app.client_id, app.client_secret!] },
    );

  it('when a client fails authentication past the free attempts then it must wait, even with the right secret, and is served again after the wait', async () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await clientCredentials('wrong-secret')).status).toBe(401);
    }
    // The sixth failure costs a second.
    expect((await clientCredentials('wrong-secret')).status).toBe(401);

    const waiting = await clientCredentials(machine.client_secret!);
    expectOAuthError(
      waiting,
      429,
      'temporarily_unavailable',
      'too many failed attempts: try again in 1 s',
    );
    expect(waiting.headers.get('retry-after')).toBe('1');
    // The same client is held back at the other endpoints that authenticate clients.
    const introspection = await service.postForm(
      '/introspect',
      { token: 'anything' },
      { basic: [machine.client_id, machine.client_secret!] },
    );
    expect(introspection.status).toBe(429);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await clientCredentials(machine.client_secret!)).status).toBe(200);

    // The next failure doubles the wait.
    expect((await clientCredentials('wrong-secret')).status).toBe(401);
    const longer = await clientCredentials(machine.client_secret!);
    expect(longer.status).toBe(429);
    expect(longer.headers.get('retry-after')).toBe('2');
  });

  it('when the password grant fails five times for an account then the account is locked out, even for the right password', async () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      expectOAuthError(
        await password('wrong password'),
        400,
        'invalid_grant',
        'the username or password is wrong',
      );
    }
    const locked = await password(PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.stringMatching(/^too many failed attempts: try again in \d+ s$/),
    });
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(locked.headers.get('cache-control')).toBe('no-store');
  });
});

describe('limits on failures (FAILURE_LIMITS=off)', () => {
  it('when the limits are off then repeated failures are not held back', async () => {
    const service = await startTestApp({ env: { FAILURE_LIMITS: 'off' } });
    try {
      const machine = await service.createClient({ grant_types: ['client_credentials'] });
      for (let attempt = 1; attempt <= 8; attempt++) {
        const refused = await service.postForm(
          '/token',
          { grant_type: 'client_credentials' },
          { basic: [machine.client_id, 'wrong-secret'] },
        );
        expect(refused.status).toBe(401);
      }
      const served = await service.postForm(
        '/token',
        { grant_type: 'client_credentials' },
        { basic: [machine.client_id, machine.client_secret!] },
      );
      expect(served.status).toBe(200);
    } finally {
      await service.close();
    }
  });
});

describe('per-client quotas (rate_limit_per_second, off unless set)', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp();
  });
  afterAll(() => service.close());

  it('when a client with a quota of 3 per second sends 6 requests at once then 3 get tokens and 3 get 429 with Retry-After', async () => {
    const quota = await service.createClient({
      grant_types: ['client_credentials'],
      rate_limit_per_second: 3,
    });
    expect(quota.rate_limit_per_second).toBe(3);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        service.postForm(
          '/token',
          { grant_type: 'client_credentials' },
          { basic: [quota.client_id, quota.client_secret!] },
        ),
      ),
    );
    expect(results.map((result) => result.status).sort((a, b) => a - b)).toEqual([
      200, 200, 200, 429, 429, 429,
    ]);
    const refused = results.find((result) => result.status === 429)!;
    expectOAuthError(
      refused,
      429,
      'temporarily_unavailable',
      "the client's quota of 3 requests per second is used up: try again in 1 s",
    );
    expect(refused.headers.get('retry-after')).toBe('1');

    // A client without a quota beside it is not held back.
    const free = await service.createClient({ grant_types: ['client_credentials'] });
    const many = await Promise.all(
      Array.from({ length: 10 }, () =>
        service.postForm(
          '/token',
          { grant_type: 'client_credentials' },
          { basic: [free.client_id, free.client_secret!] },
        ),
      ),
    );
    expect(many.every((result) => result.status === 200)).toBe(true);
  });

  it('when rate_limit_per_second is not a positive integer then registration is refused naming it', async () => {
    const result = await service.admin('POST', '/admin/clients', {
      grant_types: ['client_credentials'],
      rate_limit_per_second: 0,
    });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      {
        pointer: '/rate_limit_per_second',
        detail: 'rate_limit_per_second must not be less than 1',
      },
    ]);
  });
});
