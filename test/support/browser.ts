import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  type Response as BrowserResponse,
} from 'playwright-core';
import { freePort } from './free-port.js';

/** The longest any one browser step (a navigation, a click, a wait) may take. */
export const STEP_TIMEOUT = 20_000;
/** The whole of a test that drives several pages. */
export const FLOW_TIMEOUT = 90_000;

const CHROMIUM = '/usr/bin/chromium';

/**
 * Starting chromium took over 20 s (STEP_TIMEOUT) once on a 2-core machine
 * busy with other work beside the tests; within the 60 s hook timeout.
 */
const LAUNCH_TIMEOUT = 45_000;

/**
 * The relying party's host name. The browser resolves it to 127.0.0.1
 * (--host-resolver-rules), so that its redirect URIs are https and not
 * loopback, as web clients of implicit and hybrid flows need.
 */
export const RP_HOST = 'rp.example.test';

/** Debian's chromium, headless, with nothing that reaches the network on its own. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: LAUNCH_TIMEOUT,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${RP_HOST} 127.0.0.1`,
    ],
  });
}

/** A request that reached the relying party's server. */
export interface Arrival {
  readonly method: string;
  /** Path and query, as the request line had them. */
  readonly path: string;
  readonly contentType?: string;
  readonly body: string;
}

const PAGE =
  '<!doctype html><html><head><title>Relying party</title></head><body><p>Relying party.</p></body></html>';

/**
 * The relying party's web server: https on a loopback port with a throwaway
 * self-signed certificate, answering every request with a small page and
 * keeping what arrived. (A real server rather than page.route: Playwright
 * never routes a redirect, and authorization responses are redirects.)
 */
export class RelyingParty {
  readonly arrivals: Arrival[] = [];

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<RelyingParty> {
    const { key, cert } = selfSignedCertificate(RP_HOST);
    const port = await freePort();
    let party: RelyingParty | undefined;
    const server = createServer({ key, cert }, (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/favicon.ico') {
          response.writeHead(404).end();
          return;
        }
        party?.arrivals.push({
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          contentType: request.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
        });
        response.end(PAGE);
      });
    });
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', done);
    });
    party = new RelyingParty(server, `https://${RP_HOST}:${port}`);
    return party;
  }

  /** The redirect URI the specs register and use. */
  get redirectUri(): string {
    return `${this.origin}/cb`;
  }

  get postLogoutRedirectUri(): string {
    return `${this.origin}/logged-out`;
  }

  close(): Promise<void> {
    return new Promise((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
  }
}

/** A key and self-signed certificate for `host`, made by openssl in a directory removed straight after. */
function selfSignedCertificate(host: string): { key: string; cert: string } {
  const directory = mkdtempSync(join(tmpdir(), 'rp-tls-'));
  try {
    const keyFile = join(directory, 'key.pem');
    const certFile = join(directory, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${host}`,
        '-addext',
        `subjectAltName=DNS:${host}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** An authorization response as it reached the relying party. */
export interface Callback {
  /** Where the browser landed, fragment included (query and fragment response modes). */
  readonly url: URL;
  readonly method: string;
  /** The form body of a form_post response, as sent. */
  readonly body?: string;
  readonly contentType?: string;
  /** The response parameters, wherever the response mode put them: query, fragment or form body. */
  readonly params: URLSearchParams;
  /** The callback as the relying party's server received it, for openid-client. */
  asRequest(): Request;
}

/** The page the authorization server rendered last: its URL, status and headers. */
export interface RenderedPage {
  readonly url: string;
  readonly status: number;
  readonly headers: Record<string, string>;
}

/**
 * One user's browser for one test: a fresh context (no cookies, no session)
 * and one page, talking to the authorization server and to `rp`.
 */
export class BrowserSession {
  private rendered?: RenderedPage;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly rp: RelyingParty,
  ) {}

  static async open(
    browser: Browser,
    rp: RelyingParty,
    options: { javaScriptEnabled?: boolean } = {},
  ): Promise<BrowserSession> {
    const context = await browser.newContext({
      javaScriptEnabled: options.javaScriptEnabled ?? true,
      ignoreHTTPSErrors: true,
      viewport: { width: 800, height: 640 },
      deviceScaleFactor: 1,
      locale: 'en-US',
    });
    context.setDefaultTimeout(STEP_TIMEOUT);
    context.setDefaultNavigationTimeout(STEP_TIMEOUT);
    const page = await context.newPage();
    const session = new BrowserSession(context, page, rp);
    page.on('response', (response) => session.noteDocument(response));
    return session;
  }

  private noteDocument(response: BrowserResponse): void {
    const request = response.request();
    if (!request.isNavigationRequest() || request.frame() !== this.page.mainFrame()) return;
    if (response.status() >= 300 && response.status() < 400) return;
    this.rendered = { url: response.url(), status: response.status(), headers: response.headers() };
  }

  /** The last document the browser rendered (after redirects). */
  get lastPage(): RenderedPage {
    if (!this.rendered) throw new Error('no page has been rendered yet');
    return this.rendered;
  }

  /** Opens a URL (an authorization or end-session request) and waits for where it ends up. */
  async goto(url: URL | string): Promise<void> {
    await this.page.goto(url.toString(), { waitUntil: 'load' });
  }

  /** True when the browser shows the login page (a form with a password field). */
  async onLoginPage(): Promise<boolean> {
    return (await this.page.locator('form input[name="password"]').count()) > 0;
  }

  /** True when the browser shows the consent page (decision buttons). */
  async onConsentPage(): Promise<boolean> {
    return (await this.page.locator('[name="decision"][value="allow"]').count()) > 0;
  }

  /** True when the browser is at the relying party. */
  atRelyingParty(): boolean {
    return new URL(this.page.url()).origin === this.rp.origin;
  }

  /** Waits until the browser is at the relying party; returns where it landed. */
  async returnToRelyingParty(): Promise<URL> {
    await this.page.waitForURL((url) => url.origin === this.rp.origin, { timeout: STEP_TIMEOUT });
    return new URL(this.page.url());
  }

  /** The login form: its username and password inputs and its one submit button. */
  loginForm(): { username: Locator; password: Locator; submit: Locator } {
    const form = this.page.locator('form', { has: this.page.locator('input[name="password"]') });
    return {
      username: form.locator('input[name="username"]'),
      password: form.locator('input[name="password"]'),
      submit: form.locator('button[type="submit"], input[type="submit"], button:not([type])'),
    };
  }

  /** Fills in the login form and submits it; resolves when the next page has loaded. */
  async signIn(username: string, password: string): Promise<void> {
    const form = this.loginForm();
    await form.username.fill(username);
    await form.password.fill(password);
    await this.followFrom(form.submit);
  }

  /** Presses the consent page's allow or deny button; resolves when the next page has loaded. */
  async consent(decision: 'allow' | 'deny'): Promise<void> {
    await this.followFrom(this.page.locator(`[name="decision"][value="${decision}"]`));
  }

  /** Clicks a link or submit button and waits until the page it leads to has loaded. */
  private async followFrom(target: Locator): Promise<void> {
    const mainFrame = this.page.mainFrame();
    const navigated = this.page.waitForEvent('framenavigated', {
      predicate: (frame) => frame === mainFrame,
      timeout: STEP_TIMEOUT,
    });
    await target.click();
    await navigated;
    await this.page.waitForLoadState('load');
  }

  /** Waits until the browser reaches the relying party and returns the authorization response. */
  async callback(): Promise<Callback> {
    const url = await this.returnToRelyingParty();
    const arrival = this.rp.arrivals.findLast(
      (candidate) => new URL(candidate.path, url).pathname === url.pathname,
    );
    if (!arrival) throw new Error(`at ${url.href} but no request reached the relying party there`);
    const method = arrival.method;
    const body = method === 'POST' ? arrival.body : undefined;
    const params =
      body !== undefined
        ? new URLSearchParams(body)
        : new URLSearchParams(url.hash.length > 1 ? url.hash.slice(1) : url.search);
    return {
      url,
      method,
      body,
      contentType: arrival.contentType,
      params,
      asRequest: () =>
        new Request(`${this.rp.origin}${arrival.path}`, {
          method,
          headers: arrival.contentType ? { 'content-type': arrival.contentType } : {},
          body,
        }),
    };
  }

  /** The visible text of the page. */
  async text(): Promise<string> {
    return this.page.locator('body').innerText();
  }

  /** Saves a screenshot of the whole page to `file` (directories created as needed). */
  async screenshot(file: string): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    await this.page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

/**
 * The README's screenshots are taken by one project only (SQLite), so that two
 * projects running at once do not write the same file.
 */
export function takesScreenshots(): boolean {
  return process.env.TEST_DATABASE !== 'postgres';
}
