import { expectRevokedJwt, withoutWrites } from '../../support/expectations.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  alertText,
  CSRF_COOKIE,
  formAction,
  hiddenInputs,
  inputValue,
  SESSION_COOKIE,
  UserAgent,
} from '../authorize/user-agent.js';
import {
  familyRows,
  grantRowOf,
  handleHash,
  setExpiresAt,
} from '../grants/persisted-grant-rows.js';
import {
  CSRF_FAILED,
  decide,
  DEVICE_CODE_GRANT,
  deviceAuthorization,
  enterCode,
  headingOf,
  newUser,
  poll,
  USER_CODE,
  userCodeHash,
  WRONG_CODE,
} from './device-flow-support.js';

/** A device code: 6 bytes of issue time and 32 random ones, base64url. */
const HANDLE = /^[A-Za-z0-9_-]{51}$/;
const INVALID_CODE = {
  error: 'invalid_grant',
  error_description: 'the device code is invalid or already used',
};

describe('device authorization grant over HTTP (RFC 8628)', () => {
  let service: TestApp;
  /** Confidential TV app with refresh tokens. */
  let tv: RegisteredClient;
  /** A public device client (no secret). */
  let publicDevice: RegisteredClient;
  /** A client without the device grant. */
  let other: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    tv = await service.createClient({
      client_name: 'Living-room TV',
      grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
      scope: 'openid profile offline_access',
    });
    publicDevice = await service.createClient({
      client_name: 'Public device',
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_CODE_GRANT],
      scope: 'profile',
    });
    other = await service.createClient({ grant_types: ['client_credentials'], scope: 'read' });
  });
  afterAll(() => service?.close());

  const agent = () => new UserAgent(service.issuer);

  describe('the device authorization endpoint', () => {
    it('when a client asks then it gets a device code, a user code XXXX-XXXX and the verification URIs, and only hashes are stored', async () => {
      const before = Date.now();
      const result = await deviceAuthorization(service, tv, { scope: 'openid profile' });
      expect(result.status).toBe(200);
      expect(result.headers.get('cache-control')).toBe('no-store');
      const body = result.body;
      expect(Object.keys(body).sort()).toEqual([
        'device_code',
        'expires_in',
        'interval',
        'user_code',
        'verification_uri',
        'verification_uri_complete',
      ]);
      expect(body).toMatchObject({
        verification_uri: `${service.issuer}/device`,
        verification_uri_complete: `${service.issuer}/device?user_code=${body.user_code}`,
        expires_in: 600,
        interval: 5,
      });
      expect(body.device_code).toMatch(HANDLE);
      expect(body.user_code).toMatch(USER_CODE);

      const device = await grantRowOf(service.db, body.device_code);
      expect(device).toMatchObject({
        type: 'device_code',
        client_id: tv.client_id,
        subject: null,
        consumed_at: null,
        payload: { status: 'pending', scope: 'openid profile' },
      });
      expect(device!.expires_at - device!.created_at).toBe(600_000);
      expect(device!.created_at).toBeGreaterThanOrEqual(before);
      const family = await familyRows(service.db, device!.family_id);
      expect(family.map((row) => [row.type, row.handle_hash])).toEqual(
        expect.arrayContaining([
          ['device_code', handleHash(body.device_code)],
          ['device_user_code', userCodeHash(body.user_code)],
        ]),
      );
      expect(family).toHaveLength(2);
      const userCodeRow = family.find((row) => row.type === 'device_user_code')!;
      expect(userCodeRow).toMatchObject({
        client_id: tv.client_id,
        expires_at: device!.expires_at,
        payload: { deviceCodeId: device!.id, scope: 'openid profile' },
      });
      // Neither code is in the database in clear.
      const dump = JSON.stringify(family);
      expect(dump).not.toContain(body.device_code);
      expect(dump).not.toContain(body.user_code.replace('-', ''));
    });

    it('when no scope is asked then all of the client’s scopes are granted; a public client sends only client_id', async () => {
      const result = await deviceAuthorization(service, publicDevice);
      expect(result.status).toBe(200);
      const row = await grantRowOf(service.db, result.body.device_code);
      expect(row?.payload).toEqual({ status: 'pending', scope: 'profile' });
    });

    it('when a scope outside the client’s is asked then invalid_scope and nothing is stored', async () => {
      const result = await withoutWrites(service.db, () =>
        deviceAuthorization(service, tv, { scope: 'openid admin' }),
      );
      expect({ status: result.status, body: result.body }).toEqual({
        status: 400,
        body: { error: 'invalid_scope', error_description: 'scope not allowed: admin' },
      });
    });

    it('when the client is unknown then invalid_client and nothing is stored', async () => {
      const result = await withoutWrites(service.db, () =>
        service.postForm('/device_authorization', {}, { basic: ['no-such-client', 'secret'] }),
      );
      expect({ status: result.status, body: result.body }).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'client authentication failed' },
      });
      expect(result.headers.get('www-authenticate')).toBe(`Basic realm="${service.issuer}"`);

      const unknownPublic = await withoutWrites(service.db, () =>
        service.postForm('/device_authorization', { client_id: 'no-such-client' }),
      );
      expect({ status: unknownPublic.status, body: unknownPublic.body }).toEqual({
        status: 400,
        body: { error: 'invalid_client', error_description: 'client authentication failed' },
      });
    });

    it('when the client is not registered for the device grant then unauthorized_client and nothing is stored', async () => {
      const result = await withoutWrites(service.db, () => deviceAuthorization(service, other));
      expect({ status: result.status, body: result.body }).toEqual({
        status: 400,
        body: {
          error: 'unauthorized_client',
          error_description: `the client is not allowed to use grant_type '${DEVICE_CODE_GRANT}'`,
        },
      });
    });

    it('when the body is not a form then invalid_request', async () => {
      const result = await service.request('POST', '/device_authorization', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: publicDevice.client_id }),
      });
      expect({ status: result.status, body: result.body }).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'content type must be application/x-www-form-urlencoded',
        },
      });
    });
  });

  describe('polling the token endpoint', () => {
    it('when the user has not decided then authorization_pending, and polling again at once gets slow_down, with the rows unchanged', async () => {
      const { body } = await deviceAuthorization(service, tv);
      const before = await grantRowOf(service.db, body.device_code);

      const first = await poll(service, tv, body.device_code);
      expect({ status: first.status, body: first.body }).toEqual({
        status: 400,
        body: {
          error: 'authorization_pending',
          error_description: 'the user has not yet approved the request',
        },
      });
      expect(first.headers.get('cache-control')).toBe('no-store');

      const second = await poll(service, tv, body.device_code);
      expect({ status: second.status, body: second.body }).toEqual({
        status: 400,
        body: {
          error: 'slow_down',
          error_description: 'polled too often: wait 10 seconds between requests',
        },
      });
      // §3.5: the interval grows by 5 s for this and every later request.
      const third = await poll(service, tv, body.device_code);
      expect(third.body).toEqual({
        error: 'slow_down',
        error_description: 'polled too often: wait 15 seconds between requests',
      });
      expect(await grantRowOf(service.db, body.device_code)).toEqual(before);
    });

    it('when the user approves then the next poll gets tokens and the device code is consumed; a second redemption gets invalid_grant', async () => {
      const user = await newUser(service);
      const { body } = await deviceAuthorization(service, tv, { scope: 'openid profile' });
      const done = await decide(agent(), body.user_code, user, 'allow');
      expect({ status: done.status, heading: headingOf(done) }).toEqual({
        status: 200,
        heading: 'Device connected',
      });

      const device = await grantRowOf(service.db, body.device_code);
      expect(device).toMatchObject({
        consumed_at: null,
        // The approver's, so that deleting the user revokes the code.
        subject: user.id,
        payload: {
          status: 'approved',
          scope: 'openid profile',
          subject: user.id,
          username: user.username,
        },
      });
      const userCodeRow = (await familyRows(service.db, device!.family_id)).find(
        (row) => row.type === 'device_user_code',
      );
      expect(userCodeRow?.consumed_at).toEqual(expect.any(Number));
      expect(userCodeRow?.payload).toMatchObject({ decision: 'approved' });

      const tokens = await poll(service, tv, body.device_code);
      expect(tokens.status).toBe(200);
      expect(tokens.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(tokens.body).sort()).toEqual([
        'access_token',
        'expires_in',
        'id_token',
        'refresh_token',
        'scope',
        'token_type',
      ]);
      expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile' });

      const consumed = await grantRowOf(service.db, body.device_code);
      expect(consumed?.consumed_at).toEqual(expect.any(Number));
      const refresh = await grantRowOf(service.db, tokens.body.refresh_token);
      expect(refresh).toMatchObject({
        type: 'refresh_token',
        client_id: tv.client_id,
        subject: user.id,
        family_id: device!.family_id,
      });

      const again = await withoutWrites(service.db, () => poll(service, tv, body.device_code));
      expect({ status: again.status, body: again.body }).toEqual({
        status: 400,
        body: INVALID_CODE,
      });

      // Revoking the refresh token revokes the family, the JWT issued beside it included.
      const revoked = await service.postForm(
        '/revoke',
        { token: tokens.body.refresh_token },
        { basic: [tv.client_id, tv.client_secret!] },
      );
      expect(revoked.status).toBe(200);
      await expectRevokedJwt(service.db, tokens.body.access_token, tv.client_id);
    });

    it.each([
      ['the approving user is deleted', (userId: string) => `/admin/users/${userId}`],
      [
        'the user withdraws the consent to the client',
        (userId: string) => `/admin/users/${userId}/consents/${encodeURIComponent(tv.client_id)}`,
      ],
    ])(
      'when %s before the device polls then invalid_grant, no token, and the approved code is gone',
      async (_, adminPath) => {
        const user = await newUser(service);
        const { body } = await deviceAuthorization(service, tv);
        const done = await decide(agent(), body.user_code, user, 'allow');
        expect(headingOf(done)).toBe('Device connected');
        const device = await grantRowOf(service.db, body.device_code);

        const revoked = await service.admin('DELETE', adminPath(user.id));
        expect(revoked.status).toBe(204);
        expect(await grantRowOf(service.db, body.device_code)).toBeUndefined();

        const result = await withoutWrites(service.db, () => poll(service, tv, body.device_code));
        expect({ status: result.status, body: result.body }).toEqual({
          status: 400,
          body: INVALID_CODE,
        });
        // Nothing was issued into the code's family: only the consumed user code is left.
        const family = await familyRows(service.db, device!.family_id);
        expect(family.map((row) => row.type)).toEqual(['device_user_code']);
      },
    );

    it('when the user denies then the poll gets access_denied and no token is issued', async () => {
      const user = await newUser(service);
      const { body } = await deviceAuthorization(service, tv);
      const done = await decide(agent(), body.user_code, user, 'deny');
      expect({ status: done.status, heading: headingOf(done) }).toEqual({
        status: 200,
        heading: 'Access denied',
      });
      const device = await grantRowOf(service.db, body.device_code);
      expect(device?.payload).toEqual({ status: 'denied', scope: 'openid profile offline_access' });
      expect(device?.subject).toBeNull();

      const result = await poll(service, tv, body.device_code);
      expect({ status: result.status, body: result.body }).toEqual({
        status: 400,
        body: { error: 'access_denied', error_description: 'the user denied the request' },
      });
      const family = await familyRows(service.db, device!.family_id);
      expect(family.map((row) => row.type).sort()).toEqual(['device_code', 'device_user_code']);
      // The code cannot be entered again once decided.
      const page = await enterCode(agent(), body.user_code);
      expect({ status: page.status, alert: alertText(page.text) }).toEqual({
        status: 400,
        alert: WRONG_CODE,
      });
    });

    it('when the device code has expired then expired_token, and its user code is refused on the page', async () => {
      const { body } = await deviceAuthorization(service, tv);
      const device = await grantRowOf(service.db, body.device_code);
      const past = Date.now() - 1000;
      await service.db.query('UPDATE persisted_grant SET expires_at = $1 WHERE family_id = $2', [
        past,
        device!.family_id,
      ]);

      const result = await withoutWrites(service.db, () => poll(service, tv, body.device_code));
      expect({ status: result.status, body: result.body }).toEqual({
        status: 400,
        body: { error: 'expired_token', error_description: 'the device code has expired' },
      });
      const page = await enterCode(agent(), body.user_code);
      expect({ status: page.status, alert: alertText(page.text) }).toEqual({
        status: 400,
        alert: WRONG_CODE,
      });
    });

    it('when the approved device code expires before it is redeemed then expired_token', async () => {
      const user = await newUser(service);
      const { body } = await deviceAuthorization(service, tv);
      await decide(agent(), body.user_code, user, 'allow');
      await setExpiresAt(service.db, body.device_code, Date.now() - 1);
      const result = await poll(service, tv, body.device_code);
      expect(result.body).toEqual({
        error: 'expired_token',
        error_description: 'the device code has expired',
      });
    });

    it('when another client presents the device code then invalid_grant and the code still works for its own client', async () => {
      const user = await newUser(service);
      const { body } = await deviceAuthorization(service, tv, { scope: 'profile' });
      await decide(agent(), body.user_code, user, 'allow');
      const stolen = await withoutWrites(service.db, () =>
        poll(service, publicDevice, body.device_code),
      );
      expect({ status: stolen.status, body: stolen.body }).toEqual({
        status: 400,
        body: INVALID_CODE,
      });
      const own = await poll(service, tv, body.device_code);
      expect(own.status).toBe(200);
      // Without openid: no ID token; the client has refresh_token: a refresh token.
      expect(Object.keys(own.body).sort()).toEqual([
        'access_token',
        'expires_in',
        'refresh_token',
        'scope',
        'token_type',
      ]);
    });

    it('when a public client without refresh_token is approved then it gets an access token only', async () => {
      const user = await newUser(service);
      const { body } = await deviceAuthorization(service, publicDevice);
      await decide(agent(), body.user_code, user, 'allow');
      const result = await poll(service, publicDevice, body.device_code);
      expect(result.status).toBe(200);
      expect(Object.keys(result.body).sort()).toEqual([
        'access_token',
        'expires_in',
        'scope',
        'token_type',
      ]);
    });

    it('when the device code is unknown or missing then invalid_grant or invalid_request', async () => {
      const unknown = await poll(service, tv, 'not-a-device-code');
      expect({ status: unknown.status, body: unknown.body }).toEqual({
        status: 400,
        body: INVALID_CODE,
      });
      const missing = await service.postForm(
        '/token',
        { grant_type: DEVICE_CODE_GRANT },
        { basic: [tv.client_id, tv.client_secret!] },
      );
      expect(missing.body).toEqual({
        error: 'invalid_request',
        error_description: 'device_code is required',
      });
    });
  });

  describe('the verification page', () => {
    it('when opened then it shows a form with input user_code and one submit button, with the pages’ security headers and a CSRF cookie', async () => {
      const browser = agent();
      const page = await browser.get('/device');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('content-security-policy')).toMatch(
        /^default-src 'none'; .*form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/,
      );
      expect(formAction(page.text)).toBe('/device');
      expect(inputValue(page.text, 'user_code')).toBe('');
      expect(page.text.match(/type="submit"/g)).toHaveLength(1);
      expect(hiddenInputs(page.text).csrf_token).toBe(browser.cookies.get(CSRF_COOKIE));
    });

    it('when opened from verification_uri_complete then the code is filled in', async () => {
      const { body } = await deviceAuthorization(service, tv);
      const page = await agent().get(body.verification_uri_complete);
      expect(inputValue(page.text, 'user_code')).toBe(body.user_code);
    });

    it('when the code is typed in lower case without the dash then it is accepted, and a signed-in user goes straight to consent', async () => {
      const user = await newUser(service);
      const browser = agent();
      const first = await deviceAuthorization(service, tv);
      await decide(browser, first.body.user_code, user, 'allow');
      expect(browser.cookies.has(SESSION_COOKIE)).toBe(true);

      const { body } = await deviceAuthorization(service, tv);
      const typed = body.user_code.replace('-', '').toLowerCase();
      const page = await enterCode(browser, typed);
      expect({ status: page.status, action: formAction(page.text) }).toEqual({
        status: 200,
        action: '/device/consent',
      });
      expect(page.text).toContain('Living-room TV');
      expect(page.text).toContain(body.user_code);
    });

    it('when an unknown code is entered then the page comes again with an error and what was typed', async () => {
      const page = await enterCode(agent(), 'BBBB-BBBB');
      expect({
        status: page.status,
        action: formAction(page.text),
        alert: alertText(page.text),
        value: inputValue(page.text, 'user_code'),
      }).toEqual({ status: 400, action: '/device', alert: WRONG_CODE, value: 'BBBB-BBBB' });
    });

    it('when the CSRF value is forged or missing then 403 and the code stays undecided', async () => {
      const { body } = await deviceAuthorization(service, tv);
      const browser = agent();
      await browser.get('/device');
      const forged = await withoutWrites(service.db, () =>
        browser.postForm('/device', { csrf_token: 'forged', user_code: body.user_code }),
      );
      expect({ status: forged.status, alert: alertText(forged.text) }).toEqual({
        status: 403,
        alert: CSRF_FAILED,
      });
      const cookieless = await new UserAgent(service.issuer).postForm('/device', {
        csrf_token: browser.cookies.get(CSRF_COOKIE)!,
        user_code: body.user_code,
      });
      expect({ status: cookieless.status, alert: alertText(cookieless.text) }).toEqual({
        status: 403,
        alert: CSRF_FAILED,
      });

      // Nor can a forged consent form decide it.
      const user = await newUser(service);
      const login = await enterCode(browser, body.user_code);
      const consent = await browser.postForm('/device/login', {
        ...hiddenInputs(login.text),
        username: user.username,
        password: 'correct horse battery staple',
      });
      expect(formAction(consent.text)).toBe('/device/consent');
      const forgedDecision = await withoutWrites(service.db, () =>
        browser.postForm('/device/consent', {
          ...hiddenInputs(consent.text),
          csrf_token: 'forged',
          decision: 'allow',
        }),
      );
      expect(forgedDecision.status).toBe(403);
      const pending = await poll(service, tv, body.device_code);
      expect(pending.body.error).toBe('authorization_pending');
    });

    it('when the password is wrong then the login page comes again with 401 and the code stays undecided', async () => {
      const user = await newUser(service);
      const { body } = await deviceAuthorization(service, tv);
      const browser = agent();
      const login = await enterCode(browser, body.user_code);
      const retry = await browser.postForm('/device/login', {
        ...hiddenInputs(login.text),
        username: user.username,
        password: 'wrong',
      });
      expect({
        status: retry.status,
        action: formAction(retry.text),
        alert: alertText(retry.text),
      }).toEqual({
        status: 401,
        action: '/device/login',
        alert: 'The username or password is wrong.',
      });
      expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
    });
  });
});

describe('device verification page: wrong user codes tried repeatedly (RFC 8628 §5.1)', () => {
  let service: TestApp;
  let tv: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    tv = await service.createClient({ grant_types: [DEVICE_CODE_GRANT], scope: 'profile' });
  });
  afterAll(() => service?.close());

  it('when ten wrong codes come from one address then the next entry gets 429, even with the right code', async () => {
    const { body } = await deviceAuthorization(service, tv);
    const browser = new UserAgent(service.issuer);
    const page = await browser.get('/device');
    const csrf = hiddenInputs(page.text).csrf_token!;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const wrong = await browser.postForm('/device', { csrf_token: csrf, user_code: 'BBBB-BBBB' });
      expect({ status: wrong.status, alert: alertText(wrong.text) }).toEqual({
        status: 400,
        alert: WRONG_CODE,
      });
    }
    const blocked = await browser.postForm('/device', {
      csrf_token: csrf,
      user_code: body.user_code,
    });
    expect({
      status: blocked.status,
      action: formAction(blocked.text),
      alert: alertText(blocked.text),
    }).toEqual({ status: 429, action: '/device', alert: 'Too many wrong codes. Try again later.' });
    const userCodeRow = (
      await service.db.query('SELECT consumed_at FROM persisted_grant WHERE handle_hash = $1', [
        userCodeHash(body.user_code),
      ])
    )[0];
    expect(userCodeRow).toEqual({ consumed_at: null });
  });
});
