import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { FLOW_TIMEOUT, type Callback } from '../../support/browser.js';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import { ALICE, checksFor, createAlice, tokenHash, useBrowser } from './browser-fixtures.js';

/** Response parameters that carry credentials: never in a query string, never where not asked for. */
const CREDENTIALS = ['code', 'id_token', 'access_token'] as const;

/** Which credentials a callback carries, in a stable order. */
function credentialsIn(callback: Callback): string[] {
  return CREDENTIALS.filter((name) => callback.params.has(name));
}

/** A fragment-encoded code response moved to the query, where openid-client's code flow reads it. */
function asQueryResponse(callback: Callback): URL {
  const url = new URL(callback.url);
  url.hash = '';
  url.search = callback.params.toString();
  return url;
}

describe('implicit and hybrid response types, and form_post, in a browser (OpenID Connect Core §3.2, §3.3; OAuth 2.0 Form Post Response Mode)', () => {
  const browsers = useBrowser();
  let service: TestApp;
  let spa: RegisteredClient;
  let hybrid: RegisteredClient;
  let web: RegisteredClient;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    service = await startTestApp();
    jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
    spa = await service.createClient({
      client_name: 'Implicit single-page app',
      token_endpoint_auth_method: 'none',
      grant_types: ['implicit'],
      response_types: ['id_token', 'id_token token'],
      redirect_uris: [browsers.rp.redirectUri],
      scope: 'openid profile email',
    });
    hybrid = await service.createClient({
      client_name: 'Hybrid web app',
      grant_types: ['authorization_code', 'implicit'],
      response_types: ['code id_token', 'code token', 'code id_token token'],
      redirect_uris: [browsers.rp.redirectUri],
      scope: 'openid profile email',
      require_consent: false,
    });
    web = await service.createClient({
      client_name: 'Form post web app',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [browsers.rp.redirectUri],
      scope: 'openid profile email',
      require_consent: false,
    });
  });
  afterAll(() => service?.close());

  /** Signs a new user in through the login page (and the consent page when one is shown). */
  async function signInThrough(request: { url: URL }, options: { consent: boolean }) {
    const alice = await createAlice(service);
    const browser = await browsers.open();
    await browser.goto(request.url);
    expect(await browser.onLoginPage()).toBe(true);
    await browser.signIn(alice.username, alice.password);
    expect(await browser.onConsentPage()).toBe(options.consent);
    if (options.consent) await browser.consent('allow');
    return { alice, callback: await browser.callback() };
  }

  it(
    'when response_type is id_token then the fragment carries only an ID token, which holds the profile claims as no access token is issued (§3.2.2.5, §5.4)',
    async () => {
      const config = await discoverAs(service, spa, oidc.None());
      oidc.useIdTokenResponseType(config);
      const request = await browsers.authorizationRequest(config, {}, { pkce: false });
      expect(request.url.searchParams.get('response_type')).toBe('id_token');

      const { alice, callback } = await signInThrough(request, { consent: true });
      expect(callback.url.search).toBe('');
      expect(credentialsIn(callback)).toEqual(['id_token']);
      expect(callback.params.get('iss')).toBe(service.issuer);

      const claims = await oidc.implicitAuthentication(config, callback.url, request.nonce, {
        expectedState: request.state,
      });
      expect(claims).toMatchObject({
        iss: service.issuer,
        sub: alice.id,
        aud: spa.client_id,
        nonce: request.nonce,
        name: ALICE.name,
        email: ALICE.email,
      });
      expect(claims.at_hash).toBeUndefined();
    },
    FLOW_TIMEOUT,
  );

  it(
    'when response_type is id_token token then the fragment carries a bearer access token bound to the ID token by at_hash, and it works at userinfo (§3.2.2.5, §3.2.2.9)',
    async () => {
      const config = await discoverAs(service, spa, oidc.None());
      oidc.useIdTokenResponseType(config);
      const request = await browsers.authorizationRequest(
        config,
        { response_type: 'id_token token' },
        { pkce: false },
      );

      const { alice, callback } = await signInThrough(request, { consent: true });
      expect(callback.url.search).toBe('');
      expect(credentialsIn(callback)).toEqual(['id_token', 'access_token']);
      expect(callback.params.get('token_type')?.toLowerCase()).toBe('bearer');
      expect(Number(callback.params.get('expires_in'))).toBeGreaterThan(0);

      const claims = await oidc.implicitAuthentication(config, callback.url, request.nonce, {
        expectedState: request.state,
      });
      expect(claims).toMatchObject({ sub: alice.id, aud: spa.client_id });
      const accessToken = callback.params.get('access_token')!;
      const idToken = callback.params.get('id_token')!;
      expect(claims.at_hash).toBe(tokenHash(accessToken, idToken));

      const userinfo = await oidc.fetchUserInfo(config, accessToken, alice.id);
      expect(userinfo).toMatchObject({ sub: alice.id, email: ALICE.email, name: ALICE.name });
    },
    FLOW_TIMEOUT,
  );

  it(
    'when response_type is code id_token then the fragment ID token binds the code by c_hash and the code is redeemed for tokens of the same user (§3.3.2.11, §3.3.3.6)',
    async () => {
      const config = await discoverAs(service, hybrid);
      oidc.useCodeIdTokenResponseType(config);
      const request = await browsers.authorizationRequest(config);
      expect(request.url.searchParams.get('response_type')).toBe('code id_token');

      const { alice, callback } = await signInThrough(request, { consent: false });
      expect(callback.url.search).toBe('');
      expect(credentialsIn(callback)).toEqual(['code', 'id_token']);
      expect(callback.params.get('iss')).toBe(service.issuer);
      const frontChannel = decodeJwt(callback.params.get('id_token')!);
      expect(frontChannel.c_hash).toBe(
        tokenHash(callback.params.get('code')!, callback.params.get('id_token')!),
      );

      // openid-client checks the fragment ID token (signature, nonce, c_hash), then redeems the code.
      const tokens = await oidc.authorizationCodeGrant(config, callback.url, checksFor(request));
      expect(tokens.claims()).toMatchObject({
        iss: service.issuer,
        sub: alice.id,
        aud: hybrid.client_id,
      });
      expect(frontChannel.sub).toBe(alice.id);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when response_type is code token then the fragment carries a code and an access token but no ID token, and the code is redeemed (§3.3.2.5)',
    async () => {
      const config = await discoverAs(service, hybrid);
      const request = await browsers.authorizationRequest(config, { response_type: 'code token' });

      const { alice, callback } = await signInThrough(request, { consent: false });
      expect(callback.url.search).toBe('');
      expect(credentialsIn(callback)).toEqual(['code', 'access_token']);
      expect(callback.params.get('token_type')?.toLowerCase()).toBe('bearer');
      expect(callback.params.get('iss')).toBe(service.issuer);

      const { payload } = await jwtVerify(callback.params.get('access_token')!, jwks, {
        issuer: service.issuer,
        typ: 'at+jwt',
      });
      expect(payload).toMatchObject({ sub: alice.id, client_id: hybrid.client_id });

      const tokens = await oidc.authorizationCodeGrant(
        config,
        asQueryResponse(callback),
        checksFor(request),
      );
      expect(tokens.claims()).toMatchObject({ sub: alice.id, nonce: request.nonce });
    },
    FLOW_TIMEOUT,
  );

  it(
    'when response_type is code id_token token then the fragment ID token binds both the code (c_hash) and the access token (at_hash) (§3.3.2.11)',
    async () => {
      const config = await discoverAs(service, hybrid);
      oidc.useCodeIdTokenResponseType(config);
      const request = await browsers.authorizationRequest(config, {
        response_type: 'code id_token token',
      });

      const { alice, callback } = await signInThrough(request, { consent: false });
      expect(callback.url.search).toBe('');
      expect(credentialsIn(callback)).toEqual(['code', 'id_token', 'access_token']);
      const idToken = callback.params.get('id_token')!;
      expect(decodeJwt(idToken).at_hash).toBe(
        tokenHash(callback.params.get('access_token')!, idToken),
      );

      const tokens = await oidc.authorizationCodeGrant(config, callback.url, checksFor(request));
      expect(tokens.claims()).toMatchObject({ sub: alice.id, aud: hybrid.client_id });
      const userinfo = await oidc.fetchUserInfo(
        config,
        callback.params.get('access_token')!,
        alice.id,
      );
      expect(userinfo.sub).toBe(alice.id);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when response_mode is form_post then the code arrives in an auto-submitted POST body and nowhere in the URL (Form Post Response Mode §2)',
    async () => {
      const config = await discoverAs(service, web);
      const request = await browsers.authorizationRequest(config, { response_mode: 'form_post' });

      const { alice, callback } = await signInThrough(request, { consent: false });
      expect(callback.method).toBe('POST');
      expect(callback.contentType).toBe('application/x-www-form-urlencoded');
      expect(callback.url.href).toBe(browsers.rp.redirectUri);
      expect(credentialsIn(callback)).toEqual(['code']);
      expect(callback.params.get('state')).toBe(request.state);
      expect(callback.params.get('iss')).toBe(service.issuer);

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
    'when a hybrid response is asked for with form_post then code and ID token arrive in the POST body',
    async () => {
      const config = await discoverAs(service, hybrid);
      oidc.useCodeIdTokenResponseType(config);
      const request = await browsers.authorizationRequest(config, { response_mode: 'form_post' });

      const { alice, callback } = await signInThrough(request, { consent: false });
      expect(callback.method).toBe('POST');
      expect(callback.url.href).toBe(browsers.rp.redirectUri);
      expect(credentialsIn(callback)).toEqual(['code', 'id_token']);

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
    'when an implicit response is asked for with form_post then the ID token arrives in the POST body',
    async () => {
      const config = await discoverAs(service, spa, oidc.None());
      oidc.useIdTokenResponseType(config);
      const request = await browsers.authorizationRequest(
        config,
        { response_mode: 'form_post' },
        { pkce: false },
      );

      const { alice, callback } = await signInThrough(request, { consent: true });
      expect(callback.method).toBe('POST');
      expect(callback.url.href).toBe(browsers.rp.redirectUri);
      expect(credentialsIn(callback)).toEqual(['id_token']);

      const claims = await oidc.implicitAuthentication(
        config,
        callback.asRequest(),
        request.nonce,
        { expectedState: request.state },
      );
      expect(claims.sub).toBe(alice.id);
    },
    FLOW_TIMEOUT,
  );

  it(
    'when a code client asks for a response type it did not register then the callback carries unauthorized_client and no credential (RFC 6749 §4.1.2.1)',
    async () => {
      const browser = await browsers.open();
      const config = await discoverAs(service, web);
      const request = await browsers.authorizationRequest(config, {
        response_type: 'id_token token',
      });

      await browser.goto(request.url);
      const callback = await browser.callback();
      expect(callback.params.get('error')).toBe('unauthorized_client');
      expect(callback.params.get('state')).toBe(request.state);
      expect(credentialsIn(callback)).toEqual([]);
    },
    FLOW_TIMEOUT,
  );
});
