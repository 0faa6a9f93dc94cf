import { Injectable } from '@nestjs/common';
import type { Client } from '../clients/client.js';
import { ClientsService } from '../clients/clients.service.js';
import { IdTokenService } from '../tokens/id-token.service.js';
import { AuthorizationPageError } from './authorization-request.js';
import { browserCsrf, csrfMatches } from './browser-csrf.js';
import type { BrowserRequest } from './authorization.service.js';
import { formActionSource, type Page } from './pages/html.js';
import { confirmSignOutPage, signedOutPage } from './pages/message.page.js';
import { SessionService } from './session.service.js';

export type EndSessionOutcome =
  | { readonly kind: 'page'; readonly page: Page; readonly cookies: string[] }
  | { readonly kind: 'redirect'; readonly location: string; readonly cookies: string[] };

const PARAMS = [
  'id_token_hint',
  'post_logout_redirect_uri',
  'state',
  'client_id',
  'logout_hint',
  'ui_locales',
];

/**
 * RP-Initiated Logout 1.0: a valid id_token_hint for the signed-in user ends
 * the session at once; otherwise the user confirms on a page. The user goes
 * back only to a post_logout_redirect_uri registered for the client.
 */
@Injectable()
export class EndSessionService {
  constructor(
    private readonly sessions: SessionService,
    private readonly idTokens: IdTokenService,
    private readonly clients: ClientsService,
  ) {}

  async request(
    raw: Readonly<Record<string, unknown>>,
    browser: BrowserRequest,
  ): Promise<EndSessionOutcome> {
    const params = pick(raw);
    const redirect = await this.checkedRedirect(params);
    const hint =
      params.id_token_hint === undefined
        ? undefined
        : await this.idTokens.verifyHint(params.id_token_hint);
    if (params.id_token_hint !== undefined && hint === undefined) {
      throw new AuthorizationPageError('id_token_hint is not an ID token of this server');
    }
    const session = await this.sessions.find(browser.cookieHeader);
    if (hint !== undefined && (session === undefined || session.subject === hint.sub)) {
      return this.signOut(browser, redirect, params.state);
    }
    const csrf = browserCsrf(browser.cookieHeader, this.sessions.secure);
    const formActions = redirect === undefined ? [] : [formActionSource(redirect)];
    return {
      kind: 'page',
      page: confirmSignOutPage(params, csrf.value, formActions),
      cookies: csrf.cookie ? [csrf.cookie] : [],
    };
  }

  /** The confirmation form's submission. */
  async confirm(
    raw: Readonly<Record<string, unknown>>,
    browser: BrowserRequest,
  ): Promise<EndSessionOutcome> {
    if (!csrfMatches(browser.cookieHeader, raw.csrf_token)) {
      throw new AuthorizationPageError(
        'The form was not submitted from this site (CSRF check failed).',
        403,
      );
    }
    const params = pick(raw);
    return this.signOut(browser, await this.checkedRedirect(params), params.state);
  }

  private async signOut(
    browser: BrowserRequest,
    redirect: string | undefined,
    state: string | undefined,
  ): Promise<EndSessionOutcome> {
    const cookie = await this.sessions.end(await this.sessions.find(browser.cookieHeader));
    if (redirect === undefined) return { kind: 'page', page: signedOutPage(), cookies: [cookie] };
    const query =
      state === undefined
        ? ''
        : `${redirect.includes('?') ? '&' : '?'}${new URLSearchParams({ state })}`;
    return { kind: 'redirect', location: `${redirect}${query}`, cookies: [cookie] };
  }

  /** The post_logout_redirect_uri, when given and registered for the client the request names. */
  private async checkedRedirect(params: Record<string, string>): Promise<string | undefined> {
    const uri = params.post_logout_redirect_uri;
    if (uri === undefined) return undefined;
    const hint =
      params.id_token_hint === undefined
        ? undefined
        : await this.idTokens.verifyHint(params.id_token_hint);
    const clientId = params.client_id ?? hint?.aud;
    if (clientId === undefined) {
      throw new AuthorizationPageError('post_logout_redirect_uri needs client_id or id_token_hint');
    }
    if (hint !== undefined && params.client_id !== undefined && hint.aud !== params.client_id) {
      throw new AuthorizationPageError('client_id does not match the id_token_hint');
    }
    const client: Client | undefined = await this.clients.find(clientId);
    if (client === undefined || !client.metadata.post_logout_redirect_uris.includes(uri)) {
      throw new AuthorizationPageError('post_logout_redirect_uri is not registered for the client');
    }
    return uri;
  }
}

/** The logout parameters, single-valued strings; repeated ones are refused. */
function pick(raw: Readonly<Record<string, unknown>>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of PARAMS) {
    const value = raw[name];
    if (Array.isArray(value)) throw new AuthorizationPageError(`parameter ${name} is repeated`);
    if (typeof value === 'string' && value !== '' && value.length <= 4000) params[name] = value;
  }
  return params;
}
