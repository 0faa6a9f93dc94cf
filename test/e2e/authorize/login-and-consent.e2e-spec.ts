import { randomBytes } from 'node:crypto';
import { withoutWrites } from '../../support/expectations.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import { handleHash } from '../grants/persisted-grant-rows.js';
import {
  type AgentResponse,
  alertText,
  authorizeThrough,
  authorizeUrl,
  CSRF_COOKIE,
  expectErrorPage,
  grantRows,
  hiddenInputs,
  inputValue,
  isConsentPage,
  isLoginPage,
  pkcePair,
  redirectOf,
  REDIRECT_URI,
  SESSION_COOKIE,
  sessionRowOf,
  setCookieFor,
  submitConsent,
  submitLogin,
  UserAgent,
} from './user-agent.js';

const PASSWORD = 'correct horse battery staple';
const EXPIRED = 'The sign-in page has expired. Return to the application and start again.';
const CSRF_FAILED = 'The form was not submitted from this site (CSRF check failed).';
/** A stored handle: 6 bytes of issue time and 32 random ones, base64url. */
const HANDLE = /^[A-Za-z0-9_-]{51}$/;

describe('authorization endpoint: login and consent pages', () => {
  let service: TestApp;
  /** Confidential web client that asks consent (the default). */
  let web: RegisteredClient;
  /** A first-party client: require_consent false. */
  let firstParty: RegisteredClient;
  const { challenge } = pkcePair();

  beforeAll(async () => {
    service = await startTestApp();
    web = await service.createClient({
      client_name: 'Relying Party',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid profile email offline_access',
    });
    firstParty = await service.createClient({
      client_name: 'First Party',
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid profile email',
      require_consent: false,
    });
  });
  afterAll(() => service.close());

  /** A user of one test, so that consents and the login throttle of others do not interfere. */
  async function newUser(): Promise<{ id: string; username: string; password: string }> {
    const username = `user-${randomBytes(4).toString('hex')}`;
    const user = await service.createUser({ username, password: PASSWORD });
    return { id: user.id, username, password: PASSWORD };
  }

  const request = (params: Record<string, string> = {}, client: RegisteredClient = web): URL =>
    authorizeUrl(service, {
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid profile',
      state: 'xyz',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...params,
    });

  const agent = () => new UserAgent(service.issuer);

  async function loginPage(browser: UserAgent, url: URL = request()): Promise<AgentResponse> {
    const page = await browser.get(url);
    expect({ status: page.status, login: isLoginPage(page) }).toEqual({ status: 200, login: true });
    return page;
  }

  /** The code of a redirect to the client. */
  function expectCode(response: AgentResponse): string {
    const { uri, query, fragment } = redirectOf(response);
    expect({ uri, query, fragment }).toEqual({
      uri: REDIRECT_URI,
      query: { code: expect.any(String), state: 'xyz', iss: service.issuer },
      fragment: {},
    });
    return query.code!;
  }

  function expectSecurityHeaders(response: AgentResponse): void {
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = response.headers.get('content-security-policy')!;
    const directives = Object.fromEntries(
      csp.split(';').map((directive) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives).toMatchObject({
      'default-src': "'none'",
      'frame-ancestors': "'none'",
      'form-action': "'self' https://rp.example.test",
      'base-uri': "'none'",
    });
    expect(directives['script-src']).toMatch(/^'nonce-[A-Za-z0-9+/=]+'$/);
  }

  const sessionRows = (subject: string) => grantRows(service.db, 'session', subject);

  describe('login page', () => {
    it('when the login page is shown then it carries the security headers, an HttpOnly SameSite CSRF cookie without Secure, and a stored interaction', async () => {
      const browser = agent();
      const page = await loginPage(browser);

      expectSecurityHeaders(page);
      const csrfCookie = setCookieFor(page, CSRF_COOKIE)!;
      expect(csrfCookie).toMatch(/^idsvc_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
      expect(page.setCookies).toEqual([csrfCookie]);
      expect(page.text).toContain('to continue to <strong>Relying Party</strong>');

      const { interaction, csrf_token } = hiddenInputs(page.text);
      expect(interaction).toMatch(HANDLE);
      expect(csrf_token).toBe(browser.cookies.get(CSRF_COOKIE));
      const rows = await service.db.query(
        'SELECT type, client_id, subject FROM persisted_grant WHERE handle_hash = $1',
        [handleHash(interaction!)],
      );
      expect(rows).toEqual([{ type: 'interaction', client_id: web.client_id, subject: null }]);
    });

    it('when the browser already has a CSRF cookie then the page reuses it and sets no new one', async () => {
      const browser = agent();
      await loginPage(browser);
      const first = browser.cookies.get(CSRF_COOKIE);

      const second = await loginPage(browser);

      expect(second.setCookies).toEqual([]);
      expect(hiddenInputs(second.text).csrf_token).toBe(first);
    });

    it('when the request comes by POST then the login page is shown as for GET', async () => {
      const browser = agent();
      const page = await browser.postForm('/authorize', Object.fromEntries(request().searchParams));
      expect({ status: page.status, login: isLoginPage(page) }).toEqual({
        status: 200,
        login: true,
      });
    });

    it('when the user signs in then the session cookie is HttpOnly, SameSite and not Secure, and a session row holds the user', async () => {
      const user = await newUser();
      const browser = agent();
      const before = Math.floor(Date.now() / 1000);

      const consent = await submitLogin(browser, await loginPage(browser), user);

      expect({ status: consent.status, consent: isConsentPage(consent) }).toEqual({
        status: 200,
        consent: true,
      });
      expectSecurityHeaders(consent);
      const sessionCookie = setCookieFor(consent, SESSION_COOKIE)!;
      expect(sessionCookie).toMatch(
        /^idsvc_session=[A-Za-z0-9_-]{51}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/,
      );
      expect(sessionCookie).not.toContain('Secure');
      const rows = await sessionRows(user.id);
      expect(rows).toEqual([
        expect.objectContaining({
          type: 'session',
          client_id: '',
          subject: user.id,
          handle_hash: handleHash(browser.cookies.get(SESSION_COOKIE)!),
          consumed_at: null,
        }),
      ]);
      expect(rows[0]!.payload.authTime).toBeGreaterThanOrEqual(before);
      expect(rows[0]!.payload.authTime).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    });

    it('when the password is wrong then the login page comes back with 401 and an error, and no session is started', async () => {
      const user = await newUser();
      const browser = agent();
      const page = await loginPage(browser);

      const retry = await submitLogin(browser, page, {
        username: user.username,
        password: 'wrong',
      });

      expect({
        status: retry.status,
        login: isLoginPage(retry),
        alert: alertText(retry.text),
      }).toEqual({
        status: 401,
        login: true,
        alert: 'The username or password is wrong.',
      });
      expectSecurityHeaders(retry);
      expect(inputValue(retry.text, 'username')).toBe(user.username);
      expect(inputValue(retry.text, 'password')).toBeUndefined();
      expect(setCookieFor(retry, SESSION_COOKIE)).toBeUndefined();
      expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
      expect(await sessionRows(user.id)).toEqual([]);

      // The same interaction still works with the right password.
      const consent = await submitLogin(browser, retry, user);
      expect(isConsentPage(consent)).toBe(true);
      expect(await sessionRows(user.id)).toHaveLength(1);
    });

    it('when the username is unknown then the answer is the same as for a wrong password', async () => {
      const browser = agent();
      const retry = await submitLogin(browser, await loginPage(browser), {
        username: 'nobody-here',
        password: PASSWORD,
      });
      expect({ status: retry.status, alert: alertText(retry.text) }).toEqual({
        status: 401,
        alert: 'The username or password is wrong.',
      });
    });

    it('when 5 sign-ins of an account have failed then the 6th gets 429 even with the right password, and no session is started', async () => {
      const user = await newUser();
      const browser = agent();
      let page = await loginPage(browser);
      for (let attempt = 1; attempt <= 5; attempt++) {
        page = await submitLogin(browser, page, {
          username: user.username,
          password: `wrong-${attempt}`,
        });
        expect(page.status).toBe(401);
      }

      const blocked = await submitLogin(browser, page, user);

      expect({
        status: blocked.status,
        login: isLoginPage(blocked),
        alert: alertText(blocked.text),
      }).toEqual({
        status: 429,
        login: true,
        alert: 'Too many failed sign-in attempts. Try again later.',
      });
      expect(setCookieFor(blocked, SESSION_COOKIE)).toBeUndefined();
      expect(await sessionRows(user.id)).toEqual([]);

      // Another account from the same address is not blocked.
      const other = await newUser();
      const otherBrowser = agent();
      const consent = await submitLogin(otherBrowser, await loginPage(otherBrowser), other);
      expect(isConsentPage(consent)).toBe(true);
    });

    it('when login_hint is given then the username field is filled with it, escaped', async () => {
      const page = await loginPage(agent(), request({ login_hint: `o'brien"<b>&` }));
      expect(inputValue(page.text, 'username')).toBe(`o'brien"<b>&`);
      expect(page.text).not.toContain('<b>&');
    });

    it.each([
      ['the interaction is unknown', { interaction: randomBytes(32).toString('base64url') }],
      ['the interaction is missing', { interaction: undefined }],
    ])('when %s then the expired page is shown with 400', async (_, override) => {
      const user = await newUser();
      const browser = agent();
      const { interaction, csrf_token } = hiddenInputs((await loginPage(browser)).text);
      const form: Record<string, string> = {
        interaction: interaction!,
        csrf_token: csrf_token!,
        ...user,
      };
      if (override.interaction === undefined) delete form.interaction;
      else form.interaction = override.interaction;

      const response = await withoutWrites(
        service.db,
        () => browser.postForm('/authorize/login', form),
        ['persisted_grant'],
      );

      expectErrorPage(response, 400, EXPIRED);
    });

    it('when the interaction has expired then the expired page is shown with 400 and no session is started', async () => {
      const user = await newUser();
      const browser = agent();
      const page = await loginPage(browser);
      await service.db.query('UPDATE persisted_grant SET expires_at = $1 WHERE handle_hash = $2', [
        Date.now() - 1000,
        handleHash(hiddenInputs(page.text).interaction!),
      ]);

      const response = await submitLogin(browser, page, user);

      expectErrorPage(response, 400, EXPIRED);
      expect(await sessionRows(user.id)).toEqual([]);
    });
  });

  describe('CSRF protection of the forms', () => {
    it.each([
      ['the csrf_token field is missing', (form: Record<string, string>) => delete form.csrf_token],
      [
        'the csrf_token field is forged',
        (form: Record<string, string>) => (form.csrf_token = randomBytes(32).toString('base64url')),
      ],
    ])('when %s on the login form then 403 and nothing is written', async (_, tamper) => {
      const user = await newUser();
      const browser = agent();
      const { interaction, csrf_token } = hiddenInputs((await loginPage(browser)).text);
      const form: Record<string, string> = {
        interaction: interaction!,
        csrf_token: csrf_token!,
        ...user,
      };
      tamper(form);

      const response = await withoutWrites(
        service.db,
        () => browser.postForm('/authorize/login', form),
        ['persisted_grant'],
      );

      expectErrorPage(response, 403, CSRF_FAILED);
      expect(setCookieFor(response, SESSION_COOKIE)).toBeUndefined();
      expect(await sessionRows(user.id)).toEqual([]);
    });

    it('when the login form comes without the CSRF cookie then 403 and nothing is written', async () => {
      const user = await newUser();
      const browser = agent();
      const page = await loginPage(browser);
      browser.cookies.delete(CSRF_COOKIE);

      const response = await withoutWrites(service.db, () => submitLogin(browser, page, user), [
        'persisted_grant',
      ]);

      expectErrorPage(response, 403, CSRF_FAILED);
      expect(await sessionRows(user.id)).toEqual([]);
    });

    it("when another browser posts the interaction with its own matching cookie and token then 403: the interaction is bound to the first browser's CSRF value", async () => {
      const user = await newUser();
      const victim = agent();
      const { interaction } = hiddenInputs((await loginPage(victim)).text);
      const attacker = agent();
      const { csrf_token } = hiddenInputs((await loginPage(attacker)).text);

      const response = await withoutWrites(
        service.db,
        () =>
          attacker.postForm('/authorize/login', {
            interaction: interaction!,
            csrf_token: csrf_token!,
            ...user,
          }),
        ['persisted_grant'],
      );

      expectErrorPage(response, 403, CSRF_FAILED);
    });

    it('when the consent form carries a forged CSRF token then 403, and no consent or code is written', async () => {
      const user = await newUser();
      const browser = agent();
      const consent = await submitLogin(browser, await loginPage(browser), user);
      expect(isConsentPage(consent)).toBe(true);
      const { interaction } = hiddenInputs(consent.text);

      const response = await withoutWrites(
        service.db,
        () =>
          browser.postForm('/authorize/consent', {
            interaction: interaction!,
            csrf_token: randomBytes(32).toString('base64url'),
            decision: 'allow',
          }),
        ['persisted_grant'],
      );

      expectErrorPage(response, 403, CSRF_FAILED);
      expect(await grantRows(service.db, 'consent', user.id)).toEqual([]);
      expect(await grantRows(service.db, 'authorization_code', user.id)).toEqual([]);
    });

    it('when the consent form carries no CSRF token then 403 and nothing is written', async () => {
      const user = await newUser();
      const browser = agent();
      const consent = await submitLogin(browser, await loginPage(browser), user);
      const { interaction } = hiddenInputs(consent.text);

      const response = await withoutWrites(
        service.db,
        () =>
          browser.postForm('/authorize/consent', { interaction: interaction!, decision: 'allow' }),
        ['persisted_grant'],
      );

      expectErrorPage(response, 403, CSRF_FAILED);
    });
  });

  describe('re-authentication', () => {
    /** A browser with a session of `user` and consent to `openid profile` for the web client. */
    async function signedIn(user: { username: string; password: string }): Promise<UserAgent> {
      const browser = agent();
      expectCode(await authorizeThrough(browser, request(), user));
      return browser;
    }

    it('when a session exists then the next request gets a code without any page', async () => {
      const user = await newUser();
      const browser = await signedIn(user);
      expectCode(await browser.get(request()));
    });

    it('when prompt=login comes with a session then the login page is shown, and signing in replaces the session', async () => {
      const user = await newUser();
      const browser = await signedIn(user);
      const [oldSession] = await sessionRows(user.id);

      const page = await loginPage(browser, request({ prompt: 'login' }));
      const response = await submitLogin(browser, page, user);

      expectCode(response);
      const rows = await sessionRows(user.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.id).not.toBe(oldSession!.id);
      expect(rows[0]!.family_id).not.toBe(oldSession!.family_id);
      expect(rows[0]!.payload.authTime).toBeGreaterThanOrEqual(oldSession!.payload.authTime);
    });

    it('when max_age=0 comes right after signing in then the login page is still shown', async () => {
      const user = await newUser();
      const browser = await signedIn(user);
      const page = await loginPage(browser, request({ max_age: '0' }));
      // Signing in on that page satisfies it: the code comes, no second login page.
      expectCode(await submitLogin(browser, page, user));
    });

    it('when max_age is longer than the time since sign-in then no login page is shown', async () => {
      const user = await newUser();
      const browser = await signedIn(user);
      expectCode(await browser.get(request({ max_age: '3600' })));
    });

    it('when the session is older than max_age then the login page is shown', async () => {
      const user = await newUser();
      const browser = await signedIn(user);
      const session = (await sessionRowOf(service.db, browser))!;
      const payload =
        typeof session.payload === 'string' ? JSON.parse(session.payload) : session.payload;
      await service.db.query('UPDATE persisted_grant SET payload = $1 WHERE id = $2', [
        JSON.stringify({ ...payload, authTime: payload.authTime - 120 }),
        session.id,
      ]);
      await loginPage(browser, request({ max_age: '60' }));
    });

    it('when the login page of a prompt=login request is posted to the consent form then the sign-in is not skipped', async () => {
      const user = await newUser();
      const browser = await signedIn(user);
      const page = await loginPage(browser, request({ prompt: 'login' }));
      const { interaction, csrf_token } = hiddenInputs(page.text);

      const response = await browser.postForm('/authorize/consent', {
        interaction: interaction!,
        csrf_token: csrf_token!,
        decision: 'allow',
      });

      expectErrorPage(response, 400, EXPIRED);
      expect(await grantRows(service.db, 'authorization_code', user.id)).toHaveLength(1);
      // The login page itself still leads on.
      expectCode(await submitLogin(browser, page, user));
      expect(await grantRows(service.db, 'authorization_code', user.id)).toHaveLength(2);
    });

    it('when the session row is gone then the cookie no longer signs the user in', async () => {
      const user = await newUser();
      const browser = await signedIn(user);
      await service.db.query('DELETE FROM persisted_grant WHERE type = $1 AND subject = $2', [
        'session',
        user.id,
      ]);
      await loginPage(browser);
    });
  });

  describe('consent', () => {
    it('when consent is needed then the page names the client and every requested scope', async () => {
      const user = await newUser();
      const browser = agent();
      const consent = await submitLogin(
        browser,
        await loginPage(browser, request({ scope: 'openid profile email offline_access' })),
        user,
      );
      expect(isConsentPage(consent)).toBe(true);
      expect(consent.text).toContain('<strong>Relying Party</strong> asks to:');
      const listed = [...consent.text.matchAll(/<li>[^<]*<code>([^<]+)<\/code><\/li>/g)].map(
        (match) => match[1],
      );
      expect(listed).toEqual(['openid', 'profile', 'email', 'offline_access']);
    });

    it('when consent was given then a request with the same or fewer scopes skips it, and a new scope asks again', async () => {
      const user = await newUser();
      const browser = agent();
      expectCode(await authorizeThrough(browser, request({ scope: 'openid profile' }), user));
      const [first] = await grantRows(service.db, 'consent', user.id);
      expect(first).toMatchObject({
        client_id: web.client_id,
        subject: user.id,
        payload: { scopes: ['openid', 'profile'] },
      });

      expectCode(await browser.get(request({ scope: 'openid profile' })));
      expectCode(await browser.get(request({ scope: 'profile openid' })));
      expectCode(await browser.get(request({ scope: 'openid' })));

      const again = await browser.get(request({ scope: 'openid email' }));
      expect({ status: again.status, consent: isConsentPage(again) }).toEqual({
        status: 200,
        consent: true,
      });
      expectCode(await submitConsent(browser, again, 'allow'));
      const rows = await grantRows(service.db, 'consent', user.id);
      expect(rows).toEqual([
        expect.objectContaining({
          id: first!.id,
          payload: { scopes: ['openid', 'profile', 'email'] },
        }),
      ]);
      expectCode(await browser.get(request({ scope: 'openid profile email' })));
    });

    it('when consent was given to one client then another client that needs consent still asks', async () => {
      const user = await newUser();
      const browser = agent();
      expectCode(await authorizeThrough(browser, request(), user));
      const other = await service.createClient({
        grant_types: ['authorization_code'],
        redirect_uris: [REDIRECT_URI],
        scope: 'openid profile',
      });
      const page = await browser.get(request({}, other));
      expect(isConsentPage(page)).toBe(true);
    });

    it('when prompt=consent comes after consent was given then the consent page is shown again', async () => {
      const user = await newUser();
      const browser = agent();
      expectCode(await authorizeThrough(browser, request(), user));
      const page = await browser.get(request({ prompt: 'consent' }));
      expect(isConsentPage(page)).toBe(true);
    });

    it('when the client has require_consent false then the code comes right after sign-in and no consent is stored', async () => {
      const user = await newUser();
      const browser = agent();
      const page = await loginPage(browser, request({}, firstParty));
      expect(page.text).toContain('to continue to <strong>First Party</strong>');

      expectCode(await submitLogin(browser, page, user));
      expect(await grantRows(service.db, 'consent', user.id)).toEqual([]);
    });

    it('when the consent form is posted without a session then the expired page is shown', async () => {
      const user = await newUser();
      const browser = agent();
      const consent = await submitLogin(browser, await loginPage(browser), user);
      browser.cookies.delete(SESSION_COOKIE);

      expectErrorPage(await submitConsent(browser, consent, 'allow'), 400, EXPIRED);
      expect(await grantRows(service.db, 'consent', user.id)).toEqual([]);
    });

    it('when a consent page is submitted twice then the second submission gets the expired page and no second code', async () => {
      const user = await newUser();
      const browser = agent();
      const consent = await submitLogin(browser, await loginPage(browser), user);
      expectCode(await submitConsent(browser, consent, 'allow'));

      expectErrorPage(await submitConsent(browser, consent, 'allow'), 400, EXPIRED);
      expect(await grantRows(service.db, 'authorization_code', user.id)).toHaveLength(1);
    });
  });
});
