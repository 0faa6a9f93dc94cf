import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import {
  ADMIN_CLIENT_SECRET,
  startTestApp,
  type RegisteredClient,
  type TestApp,
} from '../../support/test-app.js';
import { createTestDatabase } from '../../support/test-database.js';
import {
  authorizeThrough,
  authorizeUrl,
  pkcePair,
  REDIRECT_URI,
  redirectOf,
  UserAgent,
} from '../authorize/user-agent.js';

const PASSWORD = 'Tr0ub4dor&3-redaction-check';
const WRONG_PASSWORD = 'wrong-password-never-logged';
const WRONG_SECRET = 'wrong-secret-never-logged-0123456789';

/**
 * Every flow with logs at the most verbose level captured to a file; then
 * every secret, token, password and code the test used or received is looked
 * for in the file: none may be there.
 */
describe('logs: structured, with request ids, and without secrets', () => {
  let directory: string;
  let logFile: string;
  let service: TestApp;
  /** Everything that must never be logged. */
  const secrets = new Map<string, string>();
  const remember = (what: string, value: unknown) => {
    if (typeof value !== 'string' || value.length < 8) {
      throw new Error(`${what} is not a value to look for: ${String(value)}`);
    }
    secrets.set(`${what} #${secrets.size}`, value);
    // A JWT's signature alone would betray a truncated token too.
    const parts = value.split('.');
    if (parts.length === 3) secrets.set(`${what} signature #${secrets.size}`, parts[2]!);
  };

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'identity-logs-'));
    logFile = join(directory, 'service.log');
    service = await startTestApp({
      // An empty database: a copy of the seeded template would have started a service in
      // this process first, whose logger nestjs-pino would keep as the root.
      db: await createTestDatabase(),
      env: { LOG_LEVEL: 'trace' },
      logDestination: pino.destination({ dest: logFile, sync: true }),
    });
  });
  afterAll(async () => {
    await service.close();
    rmSync(directory, { recursive: true, force: true });
  });

  function basic(client: RegisteredClient): [string, string] {
    return [client.client_id, client.client_secret!];
  }

  async function token(
    params: Record<string, string>,
    client: RegisteredClient,
  ): Promise<Record<string, string>> {
    const result = await service.postForm('/token', params, { basic: basic(client) });
    expect(result.status).toBe(200);
    return result.body as Record<string, string>;
  }

  it('when every flow has run then no secret, token, password or code is in the log, and each request is a JSON line with its request id', async () => {
    remember('admin client secret', ADMIN_CLIENT_SECRET);
    remember('admin token', await service.adminToken());
    await service.createUser({ username: 'grace', password: PASSWORD, email: 'g@example.com' });
    remember('password', PASSWORD);
    const machine = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      access_token_format: 'reference',
    });
    const poster = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'client_secret_post',
    });
    const legacy = await service.createClient({
      grant_types: ['password', 'refresh_token'],
      scope: 'openid read',
    });
    const web = await service.createClient({
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid profile offline_access',
      require_consent: false,
    });
    for (const client of [machine, poster, legacy, web]) {
      remember('client secret', client.client_secret);
    }
    const newSecret = await service.admin('POST', `/admin/clients/${poster.client_id}/secret`);
    remember('rotated client secret', newSecret.body.client_secret);
    poster.client_secret = newSecret.body.client_secret as string;

    // client_credentials: Basic, and client_secret_post (the secret in the body).
    const reference = await token({ grant_type: 'client_credentials' }, machine);
    remember('reference access token', reference.access_token);
    const posted = await service.postForm('/token', {
      grant_type: 'client_credentials',
      client_id: poster.client_id,
      client_secret: poster.client_secret,
    });
    expect(posted.status).toBe(200);
    remember('access token', posted.body.access_token);

    // password, then refresh.
    const owner = await token(
      { grant_type: 'password', username: 'grace', password: PASSWORD, scope: 'openid read' },
      legacy,
    );
    remember('access token', owner.access_token);
    remember('refresh token', owner.refresh_token);
    const refreshed = await token(
      { grant_type: 'refresh_token', refresh_token: owner.refresh_token! },
      legacy,
    );
    remember('access token', refreshed.access_token);
    remember('refresh token', refreshed.refresh_token);

    // Userinfo: the token in the header, and (refused) in the query string (before the
    // replay below revokes the family, and this access token with it).
    const userinfo = await service.request('GET', '/userinfo', {
      headers: { authorization: `Bearer ${refreshed.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    const inQuery = await service.request(
      'GET',
      `/userinfo?access_token=${encodeURIComponent(refreshed.access_token!)}`,
    );
    expect(inQuery.status).toBe(400);

    // Failures log warnings: the wrong values must not be in them either.
    remember('wrong password', WRONG_PASSWORD);
    remember('wrong secret', WRONG_SECRET);
    const wrongPassword = await service.postForm(
      '/token',
      { grant_type: 'password', username: 'grace', password: WRONG_PASSWORD },
      { basic: basic(legacy) },
    );
    expect(wrongPassword.status).toBe(400);
    const wrongSecret = await service.postForm(
      '/token',
      { grant_type: 'client_credentials' },
      { basic: [machine.client_id, WRONG_SECRET] },
    );
    expect(wrongSecret.status).toBe(401);
    const replayed = await service.postForm(
      '/token',
      { grant_type: 'refresh_token', refresh_token: owner.refresh_token! },
      { basic: basic(legacy) },
    );
    expect(replayed.status).toBe(400);

    // Introspection and revocation carry tokens in their bodies.
    const introspected = await service.postForm(
      '/introspect',
      { token: reference.access_token! },
      { basic: basic(machine) },
    );
    expect(introspected.body.active).toBe(true);
    const revoked = await service.postForm(
      '/revoke',
      { token: refreshed.refresh_token!, token_type_hint: 'refresh_token' },
      { basic: basic(legacy) },
    );
    expect(revoked.status).toBe(200);

    // Authorization code with PKCE: the login form's password, the session and CSRF
    // cookies, the code in the redirect's Location, the verifier, and what it buys.
    const agent = new UserAgent(service.issuer);
    const { verifier, challenge } = pkcePair();
    const redirect = await authorizeThrough(
      agent,
      authorizeUrl(service, {
        client_id: web.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid profile offline_access',
        state: 'state-value',
        nonce: 'nonce-value',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { username: 'grace', password: PASSWORD },
    );
    const { code } = redirectOf(redirect).query;
    remember('authorization code', code);
    remember('code verifier', verifier);
    for (const [name, value] of agent.cookies) remember(`cookie ${name}`, value);
    const redeemed = await token(
      {
        grant_type: 'authorization_code',
        code: code!,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      web,
    );
    remember('access token', redeemed.access_token);
    remember('refresh token', redeemed.refresh_token);
    remember('id token', redeemed.id_token);
    const replayedCode = await service.postForm(
      '/token',
      {
        grant_type: 'authorization_code',
        code: code!,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      { basic: basic(web) },
    );
    expect(replayedCode.status).toBe(400);

    // A request id the caller gave is kept and answered.
    const traced = await service.request('GET', '/.well-known/openid-configuration', {
      headers: { 'x-request-id': 'trace-ops-0001' },
    });
    expect(traced.headers.get('x-request-id')).toBe('trace-ops-0001');

    const log = readFileSync(logFile, 'utf8');
    const found = [...secrets].filter(([, value]) => log.includes(value)).map(([what]) => what);
    expect(found).toEqual([]);
    expect(secrets.size).toBeGreaterThan(25);

    const lines = log.trimEnd().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as Record<string, any>);
    expect(entries.length).toBeGreaterThan(50);

    // Structured: one JSON object a line, with a level and a message.
    for (const entry of entries) {
      expect(entry).toMatchObject({ level: expect.any(String), time: expect.any(String) });
    }
    // Each request is one line with its id, method, path (no query) and status.
    const completed = entries.filter((entry) => entry.msg === 'request completed');
    expect(completed.find((entry) => entry.reqId === 'trace-ops-0001')).toEqual({
      level: 'DEBUG',
      time: expect.any(String),
      pid: process.pid,
      hostname: expect.any(String),
      reqId: 'trace-ops-0001',
      req: {
        method: 'GET',
        path: '/.well-known/openid-configuration',
        remoteAddress: '127.0.0.1',
      },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: 'request completed',
    });
    expect(completed.map((entry) => entry.req.path)).toEqual(
      expect.arrayContaining(['/token', '/introspect', '/revoke', '/userinfo', '/authorize']),
    );
    expect(completed.some((entry) => entry.req.path.includes('?'))).toBe(false);
    // The audit's warning of the failed client authentication is there.
    const failure = entries.find(
      (entry) => entry.context === 'Audit' && entry.msg.startsWith('client.authentication_failed'),
    );
    expect(failure).toMatchObject({
      level: 'WARN',
      msg: expect.stringContaining('client_secret_basic'),
    });
  });
});
