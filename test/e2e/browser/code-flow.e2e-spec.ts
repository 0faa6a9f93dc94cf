import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { FLOW_TIMEOUT, takesScreenshots } from '../../support/browser.js';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  ALICE,
  createAlice,
  checksFor,
  expectInteractivePageHeaders,
  useBrowser,
} from './browser-fixtures.js';

const CLIENT_NAME = 'Example Photos';
/** The README shows these pages. */
const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

describe('authorization code flow with PKCE in a browser (RFC 6749 §4.1, RFC 7636, OpenID Connect Core §3.1)', () => {
  const browsers = useBrowser();
  let service: TestApp;
  let confidential: RegisteredClient;
  let spa: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    confidential = await service.createClient({
      client_name: CLIENT_NAME,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [browsers.rp.redirectUri],
      scope: 'openid profile email offline_access',
    });
    spa = await service.createClient({
      client_name: 'Example single-page app',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [browsers.rp.redirectUri],
      scope: 'openid profile email',
    });
  });
  afterAll(() => service?.close());

  it(
    'when the user signs in and allows then the confidential client redeems the code with its PKCE verifier for tokens of that user',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, confidential);
      const request = await browsers.authorizationRequest(config);

      await browser.goto(request.url);
      expect(await browser.onLoginPage()).toBe(true);
      expectInteractivePageHeaders(browser.lastPage);
      expect(await browser.loginForm().submit.count()).toBe(1);
      expect(await browser.loginForm().password.getAttribute('type')).toBe('password');
      if (takesScreenshots()) await browser.screenshot(join(SCREENSHOTS, 'login.png'));

      await browser.signIn(alice.username, alice.password);
      expect(await browser.onConsentPage()).toBe(true);
      expectInteractivePageHeaders(browser.lastPage);
      const consentText = await browser.text();
      expect(consentText).toContain(CLIENT_NAME);
      expect(consentText.toLowerCase()).toContain('profile');
      expect(consentText.toLowerCase()).toContain('email');
      if (takesScreenshots()) await browser.screenshot(join(SCREENSHOTS, 'consent.png'));

      await browser.consent('allow');
      const callback = await browser.callback();
      expect(callback.method).toBe('GET');
      expect(callback.url.hash).toBe('');
      expect(callback.params.get('iss')).toBe(service.issuer);
      expect(callback.params.get('state')).toBe(request.state);

      const tokens = await oidc.authorizationCodeGrant(config, callback.url, checksFor(request));
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.scope).toBe('openid profile email');
      const claims = tokens.claims()!;
      expect(claims).toMatchObject({ iss: service.issuer, sub: alice.id, nonce: request.nonce });
      expect([claims.aud].flat()).toContain(confidential.client_id);

      const jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
      const { payload } = await jwtVerify(tokens.access_token, jwks, {
        issuer: service.issuer,
        typ: 'at+jwt',
      });
      expect(payload).toMatchObject({
        sub: alice.id,
        client_id: confidential.client_id,
        scope: 'openid profile email',
      });
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the public client signs the user in then it redeems the code with only its PKCE verifier',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, spa, oidc.None());
      const request = await browsers.authorizationRequest(config);

      await browser.goto(request.url);
      await browser.signIn(alice.username, alice.password);
      expect(await browser.onConsentPage()).toBe(true);
      await browser.consent('allow');

      const tokens = await oidc.authorizationCodeGrant(
        config,
        (await browser.callback()).url,
        checksFor(request),
      );
      expect(tokens.claims()).toMatchObject({ sub: alice.id, aud: spa.client_id });
      expect(tokens.access_token).toEqual(expect.any(String));
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the public client sends no code_challenge then the callback carries invalid_request and the user is not asked to sign in (RFC 7636 §4.4.1)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, spa, oidc.None());
      const request = await browsers.authorizationRequest(config, {}, { pkce: false });

      await browser.goto(request.url);
      expect(browser.atRelyingParty()).toBe(true);
      const { params } = await browser.callback();
      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('state')).toBe(request.state);
      expect(params.get('iss')).toBe(service.issuer);
      expect(params.has('code')).toBe(false);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the code_challenge_method is plain then the callback carries invalid_request, as only S256 is supported (RFC 7636 §4.4.1)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, confidential);
      const request = await browsers.authorizationRequest(config, {
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'plain',
      });

      await browser.goto(request.url);
      const { params } = await browser.callback();
      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('state')).toBe(request.state);
      expect(params.has('code')).toBe(false);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the user denies consent then the callback carries access_denied with the state and no code (RFC 6749 §4.1.2.1)',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, confidential);
      const request = await browsers.authorizationRequest(config);

      await browser.goto(request.url);
      await browser.signIn(alice.username, alice.password);
      await browser.consent('deny');
      const callback = await browser.callback();
      expect(callback.params.get('error')).toBe('access_denied');
      expect(callback.params.get('state')).toBe(request.state);
      expect(callback.params.get('iss')).toBe(service.issuer);
      expect(callback.params.has('code')).toBe(false);

      // openid-client checks iss and state before it reports the error.
      await expect(
        oidc.authorizationCodeGrant(config, callback.url, checksFor(request)),
      ).rejects.toMatchObject({ name: 'AuthorizationResponseError', error: 'access_denied' });
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the user comes back for the same client then neither the login nor the consent page is shown',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, confidential);
      const first = await browsers.authorizationRequest(config);
      await browser.goto(first.url);
      await browser.signIn(alice.username, alice.password);
      await browser.consent('allow');
      const firstTokens = await oidc.authorizationCodeGrant(
        config,
        (await browser.callback()).url,
        checksFor(first),
      );

      const second = await browsers.authorizationRequest(config);
      await browser.goto(second.url);
      expect(browser.atRelyingParty()).toBe(true);
      const secondTokens = await oidc.authorizationCodeGrant(
        config,
        (await browser.callback()).url,
        checksFor(second),
      );
      expect(secondTokens.claims()!.sub).toBe(firstTokens.claims()!.sub);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when prompt=login is sent with a session then the login page is shown again (OpenID Connect Core §3.1.2.1)',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, confidential);
      const first = await browsers.authorizationRequest(config);
      await browser.goto(first.url);
      await browser.signIn(alice.username, alice.password);
      await browser.consent('allow');
      await oidc.authorizationCodeGrant(config, (await browser.callback()).url, checksFor(first));

      const again = await browsers.authorizationRequest(config, { prompt: 'login' });
      await browser.goto(again.url);
      expect(await browser.onLoginPage()).toBe(true);
      await browser.signIn(alice.username, alice.password);
      const tokens = await oidc.authorizationCodeGrant(
        config,
        (await browser.callback()).url,
        checksFor(again),
      );
      expect(tokens.claims()!.sub).toBe(alice.id);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when offline_access is asked for with prompt=consent then the code also brings a refresh token that works (OpenID Connect Core §11)',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, confidential);
      const request = await browsers.authorizationRequest(config, {
        scope: 'openid profile offline_access',
        prompt: 'consent',
      });
      await browser.goto(request.url);
      await browser.signIn(alice.username, alice.password);
      expect(await browser.onConsentPage()).toBe(true);
      await browser.consent('allow');

      const tokens = await oidc.authorizationCodeGrant(
        config,
        (await browser.callback()).url,
        checksFor(request),
      );
      expect(tokens.scope).toBe('openid profile offline_access');
      expect(tokens.refresh_token).toEqual(expect.any(String));
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.access_token).toEqual(expect.any(String));
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the password is wrong then the login page is shown again with an error, and the right one then goes through',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, confidential);
      const request = await browsers.authorizationRequest(config);

      await browser.goto(request.url);
      const before = await browser.text();
      await browser.signIn(alice.username, 'not the password at all');
      expect(await browser.onLoginPage()).toBe(true);
      expectInteractivePageHeaders(browser.lastPage, { status: 'any' });
      const after = await browser.text();
      const added = after.split('\n').filter((line) => line.trim() && !before.includes(line));
      expect(added).not.toEqual([]);
      expect(await browser.loginForm().password.inputValue()).toBe('');
      expect(await browser.page.content()).not.toContain('not the password at all');

      await browser.signIn(alice.username, alice.password);
      await browser.consent('allow');
      const tokens = await oidc.authorizationCodeGrant(
        config,
        (await browser.callback()).url,
        checksFor(request),
      );
      expect(tokens.claims()!.sub).toBe(alice.id);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the username is unknown then the page says exactly what it says for a wrong password',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, confidential);

      await browser.goto((await browsers.authorizationRequest(config)).url);
      await browser.signIn(alice.username, 'not the password at all');
      const wrongPassword = await browser.text();

      await browser.goto((await browsers.authorizationRequest(config)).url);
      await browser.signIn('nobody-by-this-name', 'not the password at all');
      expect(await browser.onLoginPage()).toBe(true);
      expect(await browser.text()).toBe(wrongPassword);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when JavaScript is disabled then login and consent still work to the end',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open({ javaScriptEnabled: false });
      const config = await discoverAs(service, confidential);
      const request = await browsers.authorizationRequest(config);

      await browser.goto(request.url);
      expect(await browser.onLoginPage()).toBe(true);
      await browser.signIn(alice.username, alice.password);
      expect(await browser.onConsentPage()).toBe(true);
      await browser.consent('allow');
      const tokens = await oidc.authorizationCodeGrant(
        config,
        (await browser.callback()).url,
        checksFor(request),
      );
      expect(tokens.claims()!.sub).toBe(alice.id);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the access token of the code flow is presented at userinfo then it returns the claims of the granted scopes',
    async () => {
      const alice = await createAlice(service);
      const browser = await browsers.open();
      const config = await discoverAs(service, confidential);
      const request = await browsers.authorizationRequest(config, { scope: 'openid email' });
      await browser.goto(request.url);
      await browser.signIn(alice.username, alice.password);
      await browser.consent('allow');
      const tokens = await oidc.authorizationCodeGrant(
        config,
        (await browser.callback()).url,
        checksFor(request),
      );

      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, alice.id);
      expect(userinfo).toMatchObject({ sub: alice.id, email: ALICE.email, email_verified: true });
      expect(userinfo.name).toBeUndefined();
    },
    FLOW_TIMEOUT,
  );
});
