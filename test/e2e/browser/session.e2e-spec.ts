import * as oidc from 'openid-client';
import { type BrowserSession, FLOW_TIMEOUT } from '../../support/browser.js';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import { checksFor, createAlice, useBrowser, type TestUser } from './browser-fixtures.js';

describe('sessions, prompt=none and RP-initiated logout in a browser (OpenID Connect Core §3.1.2.1, RP-Initiated Logout 1.0)', () => {
  const browsers = useBrowser();
  let service: TestApp;
  let client: RegisteredClient;
  let other: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    client = await service.createClient({
      client_name: 'Example Photos',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [browsers.rp.redirectUri],
      post_logout_redirect_uris: [browsers.rp.postLogoutRedirectUri],
      scope: 'openid profile email',
    });
    other = await service.createClient({
      client_name: 'Example Calendar',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [browsers.rp.redirectUri],
      post_logout_redirect_uris: [`${browsers.rp.origin}/calendar-logged-out`],
      scope: 'openid profile email',
    });
  });
  afterAll(() => service?.close());

  /** Signs a new user in for `client` through login and consent; returns the ID token. */
  async function signedIn(
    browser: BrowserSession,
    config: oidc.Configuration,
  ): Promise<{ alice: TestUser; idToken: string }> {
    const alice = await createAlice(service);
    const request = await browsers.authorizationRequest(config);
    await browser.goto(request.url);
    await browser.signIn(alice.username, alice.password);
    await browser.consent('allow');
    const tokens = await oidc.authorizationCodeGrant(
      config,
      (await browser.callback()).url,
      checksFor(request),
    );
    return { alice, idToken: tokens.id_token! };
  }

  it('when discovery is read then it lists the browser endpoints, response types and modes the flows use', async () => {
    const { status, body } = await service.request('GET', '/.well-known/openid-configuration');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      authorization_endpoint: `${service.issuer}/authorize`,
      end_session_endpoint: `${service.issuer}/end_session`,
      userinfo_endpoint: `${service.issuer}/userinfo`,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(body.response_types_supported).toEqual(
      expect.arrayContaining([
        'code',
        'id_token',
        'id_token token',
        'code id_token',
        'code token',
        'code id_token token',
      ]),
    );
    expect(body.response_modes_supported).toEqual(
      expect.arrayContaining(['query', 'fragment', 'form_post']),
    );
    expect(body.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'implicit']),
    );
    expect(body.scopes_supported).toEqual(expect.arrayContaining(['openid']));
    expect(body.subject_types_supported).toEqual(expect.arrayContaining(['public']));
    expect(body.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256']));
  });

  it(
    'when prompt=none is sent with a session and a remembered consent then the code comes back without any page',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, client);
      const { alice } = await signedIn(browser, config);

      const silent = await browsers.authorizationRequest(config, { prompt: 'none' });
      await browser.goto(silent.url);
      expect(browser.atRelyingParty()).toBe(true);
      const tokens = await oidc.authorizationCodeGrant(
        config,
        (await browser.callback()).url,
        checksFor(silent),
      );
      expect(tokens.claims()!.sub).toBe(alice.id);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when prompt=none is sent without a session then the callback carries login_required with the state (§3.1.2.6)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, client);
      const request = await browsers.authorizationRequest(config, { prompt: 'none' });

      await browser.goto(request.url);
      expect(browser.atRelyingParty()).toBe(true);
      const callback = await browser.callback();
      expect(callback.params.get('error')).toBe('login_required');
      expect(callback.params.get('state')).toBe(request.state);
      expect(callback.params.get('iss')).toBe(service.issuer);
      expect(callback.params.has('code')).toBe(false);
      await expect(
        oidc.authorizationCodeGrant(config, callback.url, checksFor(request)),
      ).rejects.toMatchObject({ name: 'AuthorizationResponseError', error: 'login_required' });
    },
    FLOW_TIMEOUT,
  );

  it(
    'when prompt=none is sent with a session but for a client not yet consented to then the callback carries consent_required (§3.1.2.6)',
    async () => {
      const browser = await browsers.open();
      await signedIn(browser, await discoverAs(service, client));

      const config = await discoverAs(service, other);
      const request = await browsers.authorizationRequest(config, { prompt: 'none' });
      await browser.goto(request.url);
      const callback = await browser.callback();
      expect(callback.params.get('error')).toBe('consent_required');
      expect(callback.params.get('state')).toBe(request.state);
      expect(callback.params.has('code')).toBe(false);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the RP logs the user out at end_session then the browser returns with the state and prompt=none then gets login_required (RP-Initiated Logout §2, §3)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, client);
      const { idToken } = await signedIn(browser, config);

      const logoutState = oidc.randomState();
      const logout = oidc.buildEndSessionUrl(config, {
        id_token_hint: idToken,
        post_logout_redirect_uri: browsers.rp.postLogoutRedirectUri,
        state: logoutState,
      });
      expect(logout.href.startsWith(`${service.issuer}/end_session?`)).toBe(true);
      await browser.goto(logout);
      const landed = await browser.returnToRelyingParty();
      expect(`${landed.origin}${landed.pathname}`).toBe(browsers.rp.postLogoutRedirectUri);
      expect(landed.searchParams.get('state')).toBe(logoutState);

      const silent = await browsers.authorizationRequest(config, { prompt: 'none' });
      await browser.goto(silent.url);
      const callback = await browser.callback();
      expect(callback.params.get('error')).toBe('login_required');
      expect(callback.params.get('state')).toBe(silent.state);

      const interactive = await browsers.authorizationRequest(config);
      await browser.goto(interactive.url);
      expect(await browser.onLoginPage()).toBe(true);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when post_logout_redirect_uri is not registered then end_session does not send the browser there (RP-Initiated Logout §3)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, client);
      const { idToken } = await signedIn(browser, config);

      const logout = oidc.buildEndSessionUrl(config, {
        id_token_hint: idToken,
        post_logout_redirect_uri: `${browsers.rp.origin}/elsewhere`,
        state: oidc.randomState(),
      });
      await browser.goto(logout);
      expect(new URL(browser.page.url()).origin).toBe(service.issuer);
    },
    FLOW_TIMEOUT,
  );
  it(
    'when end_session names a client other than the audience of the id_token_hint then the browser is not sent to that client (RP-Initiated Logout §2)',
    async () => {
      const browser = await browsers.open();
      const { idToken } = await signedIn(browser, await discoverAs(service, client));

      const logout = oidc.buildEndSessionUrl(await discoverAs(service, other), {
        id_token_hint: idToken,
        post_logout_redirect_uri: `${browsers.rp.origin}/calendar-logged-out`,
        state: oidc.randomState(),
      });
      expect(logout.searchParams.get('client_id')).toBe(other.client_id);
      await browser.goto(logout);
      expect(new URL(browser.page.url()).origin).toBe(service.issuer);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when end_session comes without an id_token_hint then the user is asked first, and signing out returns to the RP with the state (RP-Initiated Logout §2)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, client);
      await signedIn(browser, config);

      const logoutState = oidc.randomState();
      await browser.goto(
        oidc.buildEndSessionUrl(config, {
          post_logout_redirect_uri: browsers.rp.postLogoutRedirectUri,
          state: logoutState,
        }),
      );
      expect(new URL(browser.page.url()).origin).toBe(service.issuer);
      const button = browser.page.locator('form button[type="submit"], form button:not([type])');
      expect(await button.count()).toBe(1);

      // Not signed out by merely opening the page.
      const stillIn = await browsers.authorizationRequest(config, { prompt: 'none' });
      const confirmation = browser.page.url();
      await browser.goto(stillIn.url);
      expect((await browser.callback()).params.get('code')).toEqual(expect.any(String));

      await browser.goto(confirmation);
      await browser.page.locator('form button').click();
      const landed = await browser.returnToRelyingParty();
      expect(`${landed.origin}${landed.pathname}`).toBe(browsers.rp.postLogoutRedirectUri);
      expect(landed.searchParams.get('state')).toBe(logoutState);

      const silent = await browsers.authorizationRequest(config, { prompt: 'none' });
      await browser.goto(silent.url);
      expect((await browser.callback()).params.get('error')).toBe('login_required');
    },
    FLOW_TIMEOUT,
  );
});
