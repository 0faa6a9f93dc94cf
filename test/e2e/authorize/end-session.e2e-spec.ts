import { randomBytes } from 'node:crypto';
import { withoutWrites } from '../../support/expectations.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  type AgentResponse,
  authorizeThrough,
  authorizeUrl,
  expectErrorPage,
  formAction,
  hiddenInputs,
  pkcePair,
  redirectOf,
  REDIRECT_URI,
  SESSION_COOKIE,
  sessionRowOf,
  setCookieFor,
  UserAgent,
} from './user-agent.js';

const PASSWORD = 'correct horse battery staple';
const LOGGED_OUT_URI = 'https://rp.example.test/logged-out';
const CSRF_FAILED = 'The form was not submitted from this site (CSRF check failed).';
const CLEARED_SESSION_COOKIE = 'idsvc_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0';

describe('end_session (OpenID Connect RP-Initiated Logout 1.0)', () => {
  let service: TestApp;
  let web: RegisteredClient;
  let endSessionPath: string;

  beforeAll(async () => {
    service = await startTestApp();
    await service.createUser({ username: 'heidi', password: PASSWORD });
    await service.createUser({ username: 'ivan', password: PASSWORD });
    web = await service.createClient({
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [LOGGED_OUT_URI],
      scope: 'openid profile',
      require_consent: false,
    });
    const discovery = await service.request('GET', '/.well-known/openid-configuration');
    endSessionPath = new URL(discovery.body.end_session_endpoint).pathname;
  });
  afterAll(() => service.close());

  /** A browser signed in as `username`, and the ID token the client got for that sign-in. */
  async function signIn(username = 'heidi'): Promise<{ browser: UserAgent; idToken: string }> {
    const browser = new UserAgent(service.issuer);
    const { verifier, challenge } = pkcePair();
    const response = await authorizeThrough(
      browser,
      authorizeUrl(service, {
        client_id: web.client_id,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        nonce: 'n',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { username, password: PASSWORD },
    );
    const tokens = await service.postForm(
      '/token',
      {
        grant_type: 'authorization_code',
        code: redirectOf(response).query.code!,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      { basic: [web.client_id, web.client_secret!] },
    );
    expect(tokens.status).toBe(200);
    return { browser, idToken: tokens.body.id_token };
  }

  const endSession = (browser: UserAgent, params: Record<string, string>) =>
    browser.get(`${endSessionPath}?${new URLSearchParams(params)}`);

  /** prompt=none for the web client: a code while signed in, login_required after. */
  const silentRequest = (browser: UserAgent) =>
    browser.get(
      authorizeUrl(service, {
        client_id: web.client_id,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        prompt: 'none',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      }),
    );

  async function expectSignedOut(browser: UserAgent, sessionId: string): Promise<void> {
    expect(
      await service.db.query('SELECT id FROM persisted_grant WHERE id = $1', [sessionId]),
    ).toEqual([]);
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(redirectOf(await silentRequest(browser)).query).toEqual({
      error: 'login_required',
      error_description: 'the user is not signed in',
      iss: service.issuer,
    });
  }

  function expectConfirmationPage(response: AgentResponse): Record<string, string> {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.text).toContain('<h1>Sign out?</h1>');
    expect(formAction(response.text)).toBe('/end_session/confirm');
    return hiddenInputs(response.text);
  }

  it('when a valid id_token_hint and a registered post_logout_redirect_uri come then 303 to it with state, and the session is gone', async () => {
    const { browser, idToken } = await signIn();
    const session = (await sessionRowOf(service.db, browser))!;
    expect(redirectOf(await silentRequest(browser)).query.code).toEqual(expect.any(String));

    const response = await endSession(browser, {
      id_token_hint: idToken,
      post_logout_redirect_uri: LOGGED_OUT_URI,
      state: 'bye now',
    });

    expect({ status: response.status, location: response.headers.get('location') }).toEqual({
      status: 303,
      location: `${LOGGED_OUT_URI}?state=bye+now`,
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(setCookieFor(response, SESSION_COOKIE)).toBe(CLEARED_SESSION_COOKIE);
    await expectSignedOut(browser, session.id);
  });

  it('when the request comes by POST then it is handled as for GET', async () => {
    const { browser, idToken } = await signIn();
    const session = (await sessionRowOf(service.db, browser))!;

    const response = await browser.postForm(endSessionPath, {
      id_token_hint: idToken,
      post_logout_redirect_uri: LOGGED_OUT_URI,
    });

    expect({ status: response.status, location: response.headers.get('location') }).toEqual({
      status: 303,
      location: LOGGED_OUT_URI,
    });
    await expectSignedOut(browser, session.id);
  });

  it('when a valid id_token_hint comes without post_logout_redirect_uri then the signed-out page is shown', async () => {
    const { browser, idToken } = await signIn();
    const session = (await sessionRowOf(service.db, browser))!;

    const response = await endSession(browser, { id_token_hint: idToken });

    expect(response.status).toBe(200);
    expect(response.text).toContain('<h1>You are signed out</h1>');
    await expectSignedOut(browser, session.id);
  });

  it('when post_logout_redirect_uri is not registered then an error page with 400, and the session stays', async () => {
    const { browser, idToken } = await signIn();

    const response = await withoutWrites(
      service.db,
      () =>
        endSession(browser, {
          id_token_hint: idToken,
          post_logout_redirect_uri: 'https://rp.example.test/elsewhere',
          state: 's',
        }),
      ['persisted_grant'],
    );

    expectErrorPage(response, 400, 'post_logout_redirect_uri is not registered for the client');
    expect(redirectOf(await silentRequest(browser)).query.code).toEqual(expect.any(String));
  });

  it('when post_logout_redirect_uri comes without id_token_hint or client_id then an error page with 400', async () => {
    const { browser } = await signIn();
    expectErrorPage(
      await endSession(browser, { post_logout_redirect_uri: LOGGED_OUT_URI }),
      400,
      'post_logout_redirect_uri needs client_id or id_token_hint',
    );
  });

  it('when the id_token_hint is not signed by this server then an error page with 400, and the session stays', async () => {
    const { browser, idToken } = await signIn();
    const [header, payload] = idToken.split('.');
    const forged = `${header}.${payload}.${randomBytes(256).toString('base64url')}`;

    expectErrorPage(
      await endSession(browser, { id_token_hint: forged }),
      400,
      'id_token_hint is not an ID token of this server',
    );
    expect(redirectOf(await silentRequest(browser)).query.code).toEqual(expect.any(String));
  });

  it('when there is no id_token_hint then a confirmation page is shown, and posting it with the CSRF token signs out', async () => {
    const { browser } = await signIn();
    const session = (await sessionRowOf(service.db, browser))!;

    const page = await endSession(browser, {});
    const inputs = expectConfirmationPage(page);
    expect(Object.keys(inputs)).toEqual(['csrf_token']);
    expect(redirectOf(await silentRequest(browser)).query.code).toEqual(expect.any(String));

    const response = await browser.postForm('/end_session/confirm', inputs);

    expect(response.status).toBe(200);
    expect(response.text).toContain('<h1>You are signed out</h1>');
    expect(setCookieFor(response, SESSION_COOKIE)).toBe(CLEARED_SESSION_COOKIE);
    await expectSignedOut(browser, session.id);
  });

  it('when the confirmation names the client and a registered post_logout_redirect_uri then confirming redirects there with state', async () => {
    const { browser } = await signIn();
    const session = (await sessionRowOf(service.db, browser))!;

    const page = await endSession(browser, {
      client_id: web.client_id,
      post_logout_redirect_uri: LOGGED_OUT_URI,
      state: 'abc',
    });
    const inputs = expectConfirmationPage(page);
    expect(inputs).toEqual({
      post_logout_redirect_uri: LOGGED_OUT_URI,
      state: 'abc',
      client_id: web.client_id,
      csrf_token: expect.any(String),
    });
    expect(page.headers.get('content-security-policy')).toContain(
      "form-action 'self' https://rp.example.test;",
    );

    const response = await browser.postForm('/end_session/confirm', inputs);

    expect({ status: response.status, location: response.headers.get('location') }).toEqual({
      status: 303,
      location: `${LOGGED_OUT_URI}?state=abc`,
    });
    await expectSignedOut(browser, session.id);
  });

  it('when the id_token_hint is of another user than the one signed in then the user confirms first', async () => {
    const { idToken: ivansToken } = await signIn('ivan');
    const { browser } = await signIn('heidi');

    const page = await endSession(browser, { id_token_hint: ivansToken });

    expectConfirmationPage(page);
    expect(redirectOf(await silentRequest(browser)).query.code).toEqual(expect.any(String));
  });

  it.each([
    ['forged', () => randomBytes(32).toString('base64url')],
    ['missing', () => undefined],
  ])(
    'when the confirmation is posted with a %s CSRF token then 403 and the session stays',
    async (_, token) => {
      const { browser } = await signIn();
      const session = (await sessionRowOf(service.db, browser))!;
      expectConfirmationPage(await endSession(browser, {}));
      const value = token();

      const response = await withoutWrites(
        service.db,
        () =>
          browser.postForm(
            '/end_session/confirm',
            value === undefined ? {} : { csrf_token: value },
          ),
        ['persisted_grant'],
      );

      expectErrorPage(response, 403, CSRF_FAILED);
      expect(setCookieFor(response, SESSION_COOKIE)).toBeUndefined();
      expect((await sessionRowOf(service.db, browser))!.id).toBe(session.id);
    },
  );
});
