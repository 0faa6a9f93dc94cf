import * as oidc from 'openid-client';
import { FLOW_TIMEOUT } from '../../support/browser.js';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import { checksFor, createAlice, useBrowser } from './browser-fixtures.js';

/** Response parameters that carry credentials. */
const CREDENTIALS = ['code', 'id_token', 'access_token'];

describe('refused authorization requests and page safety in a browser (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2)', () => {
  const browsers = useBrowser();
  let service: TestApp;
  let web: RegisteredClient;
  let spa: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    web = await service.createClient({
      client_name: 'Example Photos',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [browsers.rp.redirectUri],
      scope: 'openid profile email',
    });
    spa = await service.createClient({
      client_name: 'Implicit single-page app',
      token_endpoint_auth_method: 'none',
      grant_types: ['implicit'],
      response_types: ['id_token', 'id_token token'],
      redirect_uris: [browsers.rp.redirectUri],
      scope: 'openid profile email',
    });
  });
  afterAll(() => service?.close());

  it(
    'when the redirect_uri is not registered then the error is shown at the authorization server and the browser is not sent there (§4.1.2.1)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, web);
      const request = await browsers.authorizationRequest(config, {
        redirect_uri: `${browsers.rp.origin}/not-registered`,
      });
      const arrivalsBefore = browsers.rp.arrivals.length;

      await browser.goto(request.url);
      expect(new URL(browser.page.url()).origin).toBe(service.issuer);
      expect(browser.lastPage.status).toBe(400);
      expect(browsers.rp.arrivals.length).toBe(arrivalsBefore);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the client_id is unknown then the error is shown at the authorization server and the browser is not sent anywhere (§4.1.2.1)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, web);
      const request = await browsers.authorizationRequest(config, { client_id: 'no-such-client' });
      const arrivalsBefore = browsers.rp.arrivals.length;

      await browser.goto(request.url);
      expect(new URL(browser.page.url()).origin).toBe(service.issuer);
      expect(browser.lastPage.status).toBe(400);
      expect(browsers.rp.arrivals.length).toBe(arrivalsBefore);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when an implicit request has no nonce then the fragment carries invalid_request and no ID token (OpenID Connect Core §3.2.2.1)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, spa, oidc.None());
      const request = await browsers.authorizationRequest(
        config,
        { response_type: 'id_token' },
        { pkce: false },
      );
      request.url.searchParams.delete('nonce');

      await browser.goto(request.url);
      const callback = await browser.callback();
      expect(callback.url.search).toBe('');
      expect(callback.params.get('error')).toBe('invalid_request');
      expect(callback.params.get('state')).toBe(request.state);
      expect(CREDENTIALS.filter((name) => callback.params.has(name))).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when prompt=none comes with another prompt value then the callback carries invalid_request (OpenID Connect Core §3.1.2.1)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, web);
      const request = await browsers.authorizationRequest(config, { prompt: 'none login' });

      await browser.goto(request.url);
      const callback = await browser.callback();
      expect(callback.params.get('error')).toBe('invalid_request');
      expect(callback.params.get('state')).toBe(request.state);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when response_mode=query is asked for a response type that returns tokens then no token is put in a query string',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, spa, oidc.None());
      const request = await browsers.authorizationRequest(
        config,
        { response_type: 'id_token token', response_mode: 'query' },
        { pkce: false },
      );
      const alice = await createAlice(service);

      await browser.goto(request.url);
      if (await browser.onLoginPage()) await browser.signIn(alice.username, alice.password);
      if (await browser.onConsentPage()) await browser.consent('allow');
      const callback = await browser.callback();
      expect(CREDENTIALS.filter((name) => callback.url.searchParams.has(name))).toEqual([]);
      expect(callback.params.get('error')).toBe('invalid_request');
    },
    FLOW_TIMEOUT,
  );

  it(
    'when max_age=0 is sent with a session then the user signs in again and the ID token carries auth_time (OpenID Connect Core §3.1.2.1)',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, web);
      const first = await browsers.authorizationRequest(config);
      await browser.goto(first.url);
      await browser.signIn(alice.username, alice.password);
      await browser.consent('allow');
      await oidc.authorizationCodeGrant(config, (await browser.callback()).url, checksFor(first));

      const again = await browsers.authorizationRequest(config, { max_age: '0' });
      await browser.goto(again.url);
      expect(await browser.onLoginPage()).toBe(true);
      const signedInAt = Math.floor(Date.now() / 1000);
      await browser.signIn(alice.username, alice.password);
      const tokens = await oidc.authorizationCodeGrant(config, (await browser.callback()).url, {
        ...checksFor(again),
        maxAge: 0,
      });
      expect(tokens.claims()!.auth_time).toBeGreaterThanOrEqual(signedInAt - 1);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the client name holds markup then the consent page shows it as text',
    async () => {
      const alice = await createAlice(service);
      const hostile = await service.createClient({
        client_name: '<img src=x id=injected>Evil & Co',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [browsers.rp.redirectUri],
        scope: 'openid profile',
      });
      const browser = await browsers.open();
      const config = await discoverAs(service, hostile);
      await browser.goto((await browsers.authorizationRequest(config, { scope: 'openid' })).url);
      expect(await browser.page.locator('#injected').count()).toBe(0);
      await browser.signIn(alice.username, alice.password);
      expect(await browser.onConsentPage()).toBe(true);
      expect(await browser.page.locator('#injected').count()).toBe(0);
      expect(await browser.text()).toContain('<img src=x id=injected>Evil & Co');
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the state holds markup then it comes back unchanged through form_post and injects nothing',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, web);
      const state = `"><img src=x id=injected>'&<`;
      const request = await browsers.authorizationRequest(config, {
        state,
        response_mode: 'form_post',
      });
      await browser.goto(request.url);
      await browser.signIn(alice.username, alice.password);
      await browser.consent('allow');
      const callback = await browser.callback();
      expect(callback.method).toBe('POST');
      expect(callback.params.get('state')).toBe(state);
      const tokens = await oidc.authorizationCodeGrant(config, callback.asRequest(), {
        ...checksFor(request),
        expectedState: state,
      });
      expect(tokens.claims()!.sub).toBe(alice.id);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when JavaScript is disabled then the form_post response can still be sent on with its button',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open({ javaScriptEnabled: false });
      const config = await discoverAs(service, web);
      const request = await browsers.authorizationRequest(config, { response_mode: 'form_post' });
      await browser.goto(request.url);
      await browser.signIn(alice.username, alice.password);
      await browser.consent('allow');
      expect(browser.atRelyingParty()).toBe(false);
      await browser.page.locator('form button, form input[type="submit"]').first().click();
      const callback = await browser.callback();
      expect(callback.method).toBe('POST');
      const tokens = await oidc.authorizationCodeGrant(
        config,
        callback.asRequest(),
        checksFor(request),
      );
      expect(tokens.claims()!.sub).toBe(alice.id);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when another site posts the login form into the browser then no session is made there (login CSRF, RFC 6749 §10.12)',
    async () => {
      const alice = await createAlice(service);
      const config = await discoverAs(service, web);

      // The attacker opens a login page of their own and copies its form, hidden fields and all.
      const attacker = await browsers.open();
      await attacker.goto((await browsers.authorizationRequest(config)).url);
      const form = await attacker.page
        .locator('form', { has: attacker.page.locator('input[name="password"]') })
        .evaluate((element: HTMLFormElement) => ({
          action: element.action,
          fields: [...element.querySelectorAll('input')].map((input) => [input.name, input.value]),
        }));

      // The victim's browser, on the attacker's page, submits it with the attacker's credentials.
      const victim = await browsers.open();
      await victim.goto(`${browsers.rp.origin}/attacker`);
      const fields = form.fields
        .filter(([name]) => name !== 'username' && name !== 'password')
        .concat([
          ['username', alice.username],
          ['password', alice.password],
        ]);
      await victim.page.setContent(
        `<form id="forged" method="post" action="${form.action.replace(/&/g, '&amp;')}">` +
          fields
            .map(
              ([name, value]) =>
                `<input type="hidden" name="${name}" value="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`,
            )
            .join('') +
          '</form>',
      );
      await victim.page.locator('#forged').evaluate((element: HTMLFormElement) => element.submit());
      await victim.page.waitForURL((url) => url.origin === service.issuer);
      expect(await victim.onConsentPage()).toBe(false);

      const silent = await browsers.authorizationRequest(config, { prompt: 'none' });
      await victim.goto(silent.url);
      expect((await victim.callback()).params.get('error')).toBe('login_required');
    },
    FLOW_TIMEOUT,
  );

  it(
    'when another page frames the login page then the browser refuses to render it',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, web);
      const request = await browsers.authorizationRequest(config);

      // A page of no origin of its own frames the relying party's page (which
      // allows it: the control) and the login page (which must not render).
      await browser.page.setContent(
        `<iframe id="control" src="${browsers.rp.origin}/frameable"></iframe>` +
          `<iframe id="login" src="${request.url.href.replace(/&/g, '&amp;')}"></iframe>`,
      );
      expect(await browser.page.frameLocator('#control').locator('p').innerText()).toBe(
        'Relying party.',
      );
      expect(
        await browser.page.frameLocator('#login').locator('input[name="password"]').count(),
      ).toBe(0);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the user has signed in then the cookies of the authorization server are HttpOnly and SameSite',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, web);
      const request = await browsers.authorizationRequest(config);
      await browser.goto(request.url);
      await browser.signIn(alice.username, alice.password);

      const cookies = await browser.context.cookies(service.issuer);
      expect(cookies).not.toEqual([]);
      for (const cookie of cookies) {
        expect({ name: cookie.name, httpOnly: cookie.httpOnly }).toEqual({
          name: cookie.name,
          httpOnly: true,
        });
        expect(['Lax', 'Strict']).toContain(cookie.sameSite);
      }
    },
    FLOW_TIMEOUT,
  );
});
