import { createHash, randomBytes } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import {
  BrowserSession,
  launchBrowser,
  RelyingParty,
  type RenderedPage,
} from '../../support/browser.js';
import type { TestApp } from '../../support/test-app.js';

/** The user who signs in throughout the browser specs. */
export const ALICE = {
  password: 'correct horse battery staple',
  name: 'Alice Example',
  given_name: 'Alice',
  family_name: 'Example',
  email: 'alice@example.com',
  email_verified: true,
} as const;

export interface TestUser {
  readonly id: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Alice, registered afresh for one test under a username of her own, so that
 * what another test left behind (a remembered consent) does not change its course.
 */
export async function createAlice(service: TestApp): Promise<TestUser> {
  const username = `alice-${randomBytes(4).toString('hex')}`;
  const user = await service.createUser({ ...ALICE, username });
  return { id: user.id, username, password: ALICE.password };
}

/** What the relying party keeps between sending the user off and the callback. */
export interface AuthorizationRequest {
  readonly url: URL;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** The browser, the relying party's server, and authorization requests that return to it. */
export interface BrowserFixture {
  /** A fresh browser session (no cookies), closed after the test. */
  open(options?: { javaScriptEnabled?: boolean }): Promise<BrowserSession>;
  readonly rp: RelyingParty;
  /**
   * An authorization request built by openid-client: redirect to the RP's
   * callback, scope `openid profile email`, fresh state and nonce, and a
   * S256 PKCE challenge unless `pkce` is false; `parameters` add to or
   * replace these.
   */
  authorizationRequest(
    config: oidc.Configuration,
    parameters?: Record<string, string>,
    options?: { pkce?: boolean },
  ): Promise<AuthorizationRequest>;
}

/**
 * A browser and a relying party for the describe block that calls it: started
 * before its tests (before its own beforeAll hooks, when called first),
 * stopped after them, with every session a test opened closed after that test.
 */
export function useBrowser(): BrowserFixture {
  let browser: Browser | undefined;
  let rp: RelyingParty | undefined;
  const sessions: BrowserSession[] = [];
  beforeAll(async () => {
    rp = await RelyingParty.start();
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await rp?.close();
  });
  const started = () => {
    if (!browser || !rp) throw new Error('the browser or the relying party did not start');
    return { browser, rp };
  };
  return {
    get rp() {
      return started().rp;
    },
    async open(options) {
      const { browser, rp } = started();
      const session = await BrowserSession.open(browser, rp, options);
      sessions.push(session);
      return session;
    },
    async authorizationRequest(config, parameters = {}, { pkce = true } = {}) {
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const challenge: Record<string, string> = pkce
        ? {
            code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
            code_challenge_method: 'S256',
          }
        : {};
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: started().rp.redirectUri,
        scope: 'openid profile email',
        state,
        nonce,
        ...challenge,
        ...parameters,
      });
      return { url, state, nonce, codeVerifier };
    },
  };
}

/** The checks openid-client runs on the callback, from what the request kept. */
export function checksFor(request: AuthorizationRequest): oidc.AuthorizationCodeGrantChecks {
  return {
    pkceCodeVerifier: request.codeVerifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  };
}

/**
 * Login and consent pages: HTML that is never cached and never framed
 * (CONTRACT.md, Interactive pages).
 */
export function expectInteractivePageHeaders(
  page: RenderedPage,
  { status = 200 }: { status?: number | 'any' } = {},
): void {
  if (status !== 'any') expect(page.status).toBe(status);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.headers['cache-control']).toContain('no-store');
  expect(page.headers['x-frame-options']).toBe('DENY');
  expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
}

/**
 * OpenID Connect Core §3.1.3.6 / §3.2.2.9: at_hash and c_hash are the
 * base64url of the left half of the hash of the value, with the hash of the
 * ID token's signing algorithm (SHA-512 for EdDSA with Ed25519).
 */
export function tokenHash(value: string, idToken: string): string {
  const { alg } = decodeProtectedHeader(idToken);
  const bits = alg === 'EdDSA' || alg === 'Ed25519' ? 512 : Number(alg?.slice(-3));
  const digest = createHash(`sha${bits}`).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
