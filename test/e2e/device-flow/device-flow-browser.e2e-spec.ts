import { createRemoteJWKSet, jwtVerify } from 'jose';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import { FLOW_TIMEOUT, takesScreenshots } from '../../support/browser.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  createAlice,
  expectInteractivePageHeaders,
  useBrowser,
} from '../browser/browser-fixtures.js';
import { DEVICE_CODE_GRANT, USER_CODE } from './device-flow-support.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

/** openid-client as a device: public, no secret, plain HTTP allowed for the loopback issuer. */
function deviceClient(service: TestApp, client: RegisteredClient): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(service.issuer), client.client_id, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

describe('device authorization grant with openid-client and a browser (RFC 8628)', () => {
  const browsers = useBrowser();
  let service: TestApp;
  let tv: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    tv = await service.createClient({
      client_name: 'Living-room TV',
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
      scope: 'openid profile offline_access',
    });
  });
  afterAll(() => service?.close());

  it(
    'when the user opens verification_uri_complete, signs in and allows then the polling device gets tokens of that user',
    async () => {
      const alice = await createAlice(service);
      const config = await deviceClient(service, tv);
      expect(config.serverMetadata().device_authorization_endpoint).toBe(
        `${service.issuer}/device_authorization`,
      );
      const response = await oidc.initiateDeviceAuthorization(config, {
        scope: 'openid profile offline_access',
      });
      expect(response.user_code).toMatch(USER_CODE);
      const polling = oidc.pollDeviceAuthorizationGrant(config, response);

      const browser = await browsers.open();
      await browser.goto(response.verification_uri_complete!);
      expectInteractivePageHeaders(browser.lastPage);
      const input = browser.page.locator('form input[name="user_code"]');
      expect(await input.inputValue()).toBe(response.user_code);
      const submit = browser.page.locator('form button[type="submit"]');
      expect(await submit.count()).toBe(1);
      if (takesScreenshots()) await browser.screenshot(join(SCREENSHOTS, 'device.png'));
      await Promise.all([browser.page.waitForEvent('load'), submit.click()]);

      expect(await browser.onLoginPage()).toBe(true);
      expectInteractivePageHeaders(browser.lastPage);
      await browser.signIn(alice.username, alice.password);
      expect(await browser.onConsentPage()).toBe(true);
      expectInteractivePageHeaders(browser.lastPage);
      expect(await browser.text()).toContain('Living-room TV');
      expect(await browser.text()).toContain(response.user_code);
      await browser.consent('allow');
      expect(await browser.page.locator('h1').innerText()).toBe('Device connected');
      expectInteractivePageHeaders(browser.lastPage);

      const tokens = await polling;
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.scope).toBe('openid profile offline_access');
      expect(tokens.refresh_token).toEqual(expect.any(String));
      expect(tokens.claims()).toMatchObject({
        iss: service.issuer,
        sub: alice.id,
        aud: tv.client_id,
        auth_time: expect.any(Number),
        sid: expect.any(String),
      });
      const jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
      const { payload } = await jwtVerify(tokens.access_token, jwks, {
        issuer: service.issuer,
        typ: 'at+jwt',
      });
      expect(payload).toMatchObject({
        sub: alice.id,
        client_id: tv.client_id,
        scope: 'openid profile offline_access',
      });
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, alice.id);
      expect(userinfo).toMatchObject({ sub: alice.id, name: 'Alice Example' });
    },
    FLOW_TIMEOUT,
  );

  it(
    'when the user types the code on verification_uri and denies then the polling device gets access_denied',
    async () => {
      const alice = await createAlice(service);
      const config = await deviceClient(service, tv);
      const response = await oidc.initiateDeviceAuthorization(config, { scope: 'profile' });
      const polling = oidc.pollDeviceAuthorizationGrant(config, response).then(
        () => undefined,
        (error: unknown) => error,
      );

      const browser = await browsers.open({ javaScriptEnabled: false });
      await browser.goto(response.verification_uri);
      const input = browser.page.locator('form input[name="user_code"]');
      expect(await input.inputValue()).toBe('');
      await input.fill(response.user_code.toLowerCase());
      await Promise.all([
        browser.page.waitForEvent('load'),
        browser.page.locator('form button[type="submit"]').click(),
      ]);
      await browser.signIn(alice.username, alice.password);
      await browser.consent('deny');
      expect(await browser.page.locator('h1').innerText()).toBe('Access denied');

      const error = await polling;
      expect(error).toBeInstanceOf(oidc.ResponseBodyError);
      expect(error).toMatchObject({
        error: 'access_denied',
        error_description: 'the user denied the request',
      });
    },
    FLOW_TIMEOUT,
  );
});
