import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  authorizeUrl,
  isLoginPage,
  pkcePair,
  REDIRECT_URI,
  submitLogin,
  UserAgent,
} from '../authorize/user-agent.js';

const PASSWORD = 'correct horse battery staple';

/** The sample lines of a metric (name and labels as written, then the value). */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('GET /metrics (Prometheus)', () => {
  let service: TestApp;
  let machine: RegisteredClient;
  let legacy: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    await service.createUser({ username: 'alice', password: PASSWORD });
    machine = await service.createClient({ grant_types: ['client_credentials'], scope: 'read' });
    legacy = await service.createClient({ grant_types: ['password'], scope: 'read' });
  });
  afterAll(() => service.close());

  async function scrape(target: TestApp = service): Promise<string> {
    const result = await target.request('GET', '/metrics');
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return result.body as string;
  }

  it('when tokens are issued and authentications fail then the counters show them by grant type, client, kind and method', async () => {
    for (let i = 0; i < 3; i++) {
      const ok = await service.postForm(
        '/token',
        { grant_type: 'client_credentials' },
        { basic: [machine.client_id, machine.client_secret!] },
      );
      expect(ok.status).toBe(200);
    }
    const badSecret = await service.postForm(
      '/token',
      { grant_type: 'client_credentials' },
      { basic: [machine.client_id, 'wrong'] },
    );
    expect(badSecret.status).toBe(401);
    const badPassword = await service.postForm(
      '/token',
      { grant_type: 'password', username: 'alice', password: 'not it' },
      { basic: [legacy.client_id, legacy.client_secret!] },
    );
    expect(badPassword.status).toBe(400);

    const text = await scrape();
    expect(samples(text, 'oauth_tokens_issued_total')).toContain(
      `oauth_tokens_issued_total{grant_type="client_credentials",client_id="${machine.client_id}"} 3`,
    );
    expect(samples(text, 'oauth_authentication_failures_total')).toEqual([
      'oauth_authentication_failures_total{kind="client",method="client_secret_basic"} 1',
      'oauth_authentication_failures_total{kind="password",method="password_grant"} 1',
    ]);
    expect(text).toContain('# TYPE oauth_tokens_issued_total counter');
  });

  it('when a sign-in on the login page fails then it is counted as a password failure of the login form', async () => {
    const web = await service.createClient({
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid',
    });
    const agent = new UserAgent(service.issuer);
    const page = await agent.get(
      authorizeUrl(service, {
        client_id: web.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(isLoginPage(page)).toBe(true);
    const refused = await submitLogin(agent, page, { username: 'alice', password: 'not it' });
    expect(refused.status).toBe(401);

    expect(samples(await scrape(), 'oauth_authentication_failures_total')).toContain(
      'oauth_authentication_failures_total{kind="password",method="login_form"} 1',
    );
  });

  it('when requests are answered then they are counted and timed by route pattern and status, never by raw URL', async () => {
    await service.admin('GET', `/admin/clients/${machine.client_id}`);
    await service.admin('GET', '/admin/clients/no-such-client');
    await service.request('GET', '/no/such/path?code=secret-looking');

    const text = await scrape();
    const requests = samples(text, 'http_requests_total');
    expect(requests).toEqual(
      expect.arrayContaining([
        'http_requests_total{method="GET",route="/admin/clients/:clientId",status_code="200"} 1',
        'http_requests_total{method="GET",route="/admin/clients/:clientId",status_code="404"} 1',
        'http_requests_total{method="GET",route="unmatched",status_code="404"} 1',
        expect.stringMatching(
          /^http_requests_total\{method="POST",route="\/token",status_code="200"\} \d+$/,
        ),
      ]),
    );
    expect(text).not.toContain(`/admin/clients/${machine.client_id}`);
    expect(text).not.toContain('no-such-client');
    expect(text).not.toContain('secret-looking');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(samples(text, 'http_request_duration_seconds_count')).toContain(
      'http_request_duration_seconds_count{method="GET",route="/admin/clients/:clientId",status_code="200"} 1',
    );
    expect(samples(text, 'http_request_duration_seconds_bucket')).toContain(
      'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/admin/clients/:clientId",status_code="200"} 1',
    );
  });

  it('when scraped then the event-loop lag and process metrics are there, and the pool gauges on PostgreSQL', async () => {
    const text = await scrape();
    expect(samples(text, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(samples(text, 'nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
    expect(samples(text, 'process_resident_memory_bytes')).toHaveLength(1);
    const pool = ['db_pool_connections', 'db_pool_idle_connections', 'db_pool_waiting_requests'];
    for (const name of pool) {
      const lines = samples(text, name);
      if (service.db.kind === 'postgres') {
        expect(lines).toEqual([expect.stringMatching(new RegExp(`^${name} \\d+$`))]);
      } else {
        expect(lines).toEqual([]);
      }
    }
    if (service.db.kind === 'postgres') {
      expect(Number(samples(text, 'db_pool_connections')[0]!.split(' ')[1])).toBeGreaterThan(0);
    }
  });

  it('when a second instance runs in the same process then each has its own registry and counts', async () => {
    const second = await startTestApp();
    try {
      const client = await second.createClient({ grant_types: ['client_credentials'] });
      const ok = await second.postForm(
        '/token',
        { grant_type: 'client_credentials' },
        { basic: [client.client_id, client.client_secret!] },
      );
      expect(ok.status).toBe(200);
      const secondText = await scrape(second);
      expect(samples(secondText, 'oauth_authentication_failures_total')).toEqual([]);
      expect(secondText).not.toContain(machine.client_id);
      expect(samples(secondText, 'oauth_tokens_issued_total')).toContain(
        `oauth_tokens_issued_total{grant_type="client_credentials",client_id="${client.client_id}"} 1`,
      );
      expect(await scrape()).not.toContain(client.client_id);
    } finally {
      await second.close();
    }
  });
});
