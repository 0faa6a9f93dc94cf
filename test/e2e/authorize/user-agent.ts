import { createHash, randomBytes } from 'node:crypto';
import type { TestApp } from '../../support/test-app.js';
import type { TestDatabase } from '../../support/test-database.js';
import { handleHash } from '../grants/persisted-grant-rows.js';

/** The relying party's callback; never followed, so no network is needed. */
export const REDIRECT_URI = 'https://rp.example.test/cb';
export const RP_ORIGIN = 'https://rp.example.test';
export const SESSION_COOKIE = 'idsvc_session';
export const CSRF_COOKIE = 'idsvc_csrf';

/** What the user agent received for one request (redirects are never followed). */
export interface AgentResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The Set-Cookie lines of this response, as sent. */
  readonly setCookies: readonly string[];
}

/**
 * A browser without a browser: fetch with `redirect: 'manual'` and a cookie
 * jar (one host, every cookie at path /), enough to walk the login and
 * consent forms the way a browser would.
 */
export class UserAgent {
  /** Cookie name → value. */
  readonly cookies = new Map<string, string>();

  constructor(private readonly issuer: string) {}

  get(url: string | URL): Promise<AgentResponse> {
    return this.send(new URL(url, this.issuer), { method: 'GET' });
  }

  postForm(path: string, params: Record<string, string>): Promise<AgentResponse> {
    return this.send(new URL(path, this.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
  }

  cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private async send(url: URL, init: RequestInit): Promise<AgentResponse> {
    const cookie = this.cookieHeader();
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) this.store(line);
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      setCookies,
    };
  }

  private store(line: string): void {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const index = pair!.indexOf('=');
    const name = pair!.slice(0, index);
    const value = pair!.slice(index + 1);
    const expired = attributes.some((attribute) => /^max-age=0$/i.test(attribute));
    if (expired || value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

/** The Set-Cookie line for a cookie name in a response, or undefined. */
export function setCookieFor(response: AgentResponse, name: string): string | undefined {
  return response.setCookies.find((line) => line.startsWith(`${name}=`));
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function inputTag(html: string, name: string): string | undefined {
  return new RegExp(`<input[^>]*\\sname="${escapeRegExp(name)}"[^>]*>`).exec(html)?.[0];
}

/** The value of the (first) input named `name` in a page, or undefined. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = inputTag(html, name);
  if (tag === undefined) return undefined;
  const value = /\svalue="([^"]*)"/.exec(tag)?.[1];
  return value === undefined ? undefined : unescapeHtml(value);
}

/** Every hidden input of a page, name → value. */
export function hiddenInputs(html: string): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(
    /<input type="hidden" name="([^"]*)" value="([^"]*)">/g,
  )) {
    inputs[unescapeHtml(name!)] = unescapeHtml(value!);
  }
  return inputs;
}

/** The text of the page's alert (the error message), or undefined. */
export function alertText(html: string): string | undefined {
  const text = /<p class="error" role="alert">([\s\S]*?)<\/p>/.exec(html)?.[1];
  return text === undefined ? undefined : unescapeHtml(text);
}

/** The action of the page's (first) form. */
export function formAction(html: string): string | undefined {
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  return action === undefined ? undefined : unescapeHtml(action);
}

export const isLoginPage = (response: AgentResponse): boolean =>
  formAction(response.text) === '/authorize/login' &&
  inputTag(response.text, 'username') !== undefined &&
  inputTag(response.text, 'password') !== undefined;

export const isConsentPage = (response: AgentResponse): boolean =>
  formAction(response.text) === '/authorize/consent' &&
  /name="decision" value="allow"/.test(response.text) &&
  /name="decision" value="deny"/.test(response.text);

/** An authorization response (or error) sent by redirect, split into its parts. */
export interface Redirect {
  /** The redirect URI without query or fragment. */
  readonly uri: string;
  readonly query: Record<string, string>;
  readonly fragment: Record<string, string>;
}

export function redirectOf(response: AgentResponse): Redirect {
  const location = response.headers.get('location');
  expect({ status: response.status, location: typeof location }).toEqual({
    status: 303,
    location: 'string',
  });
  const url = new URL(location!);
  return {
    uri: `${url.origin}${url.pathname}`,
    query: Object.fromEntries(url.searchParams),
    fragment: Object.fromEntries(new URLSearchParams(url.hash.slice(1))),
  };
}

/** The authorization endpoint URL with these parameters. */
export function authorizeUrl(service: TestApp, params: Record<string, string>): URL {
  const url = new URL('/authorize', service.issuer);
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  return url;
}

/** RFC 7636: a fresh verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const randomValue = (): string => randomBytes(12).toString('base64url');

/** Submits the login page's form. */
export function submitLogin(
  agent: UserAgent,
  page: AgentResponse,
  credentials: { username: string; password: string },
): Promise<AgentResponse> {
  const { interaction, csrf_token } = hiddenInputs(page.text);
  return agent.postForm('/authorize/login', {
    interaction: interaction!,
    csrf_token: csrf_token!,
    ...credentials,
  });
}

/** Submits the consent page's form with a decision. */
export function submitConsent(
  agent: UserAgent,
  page: AgentResponse,
  decision: 'allow' | 'deny',
): Promise<AgentResponse> {
  const { interaction, csrf_token } = hiddenInputs(page.text);
  return agent.postForm('/authorize/consent', {
    interaction: interaction!,
    csrf_token: csrf_token!,
    decision,
  });
}

/**
 * Goes through the authorization endpoint as the user would: signs in when
 * the login page comes, allows when the consent page comes, and returns
 * the final response (the redirect to the client, or whatever page stopped it).
 */
export async function authorizeThrough(
  agent: UserAgent,
  url: URL,
  credentials: { username: string; password: string },
): Promise<AgentResponse> {
  let response = await agent.get(url);
  if (isLoginPage(response)) response = await submitLogin(agent, response, credentials);
  if (isConsentPage(response)) response = await submitConsent(agent, response, 'allow');
  return response;
}

/** Rows of one type in persisted_grant, e.g. the sessions or consents of a subject. */
export async function grantRows(
  db: TestDatabase,
  type: string,
  subject?: string,
): Promise<Record<string, any>[]> {
  const rows =
    subject === undefined
      ? await db.query('SELECT * FROM persisted_grant WHERE type = $1 ORDER BY id', [type])
      : await db.query(
          'SELECT * FROM persisted_grant WHERE type = $1 AND subject = $2 ORDER BY id',
          [type, subject],
        );
  return rows.map((row) => ({
    ...row,
    payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
  }));
}

/** The session row of the agent's session cookie, or undefined. */
export async function sessionRowOf(
  db: TestDatabase,
  agent: UserAgent,
): Promise<Record<string, any> | undefined> {
  const handle = agent.cookies.get(SESSION_COOKIE);
  if (handle === undefined) return undefined;
  const rows = await db.query(
    "SELECT * FROM persisted_grant WHERE type = 'session' AND handle_hash = $1",
    [handleHash(handle)],
  );
  return rows[0];
}

/** A non-redirectable error: an HTML page with the status and message, never a Location. */
export function expectErrorPage(response: AgentResponse, status: number, message: string): void {
  expect({
    status: response.status,
    location: response.headers.get('location'),
    alert: alertText(response.text),
  }).toEqual({ status, location: null, alert: message });
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.text).toContain('<h1>This request cannot be processed</h1>');
}
