import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Client } from '../clients/client.js';
import { ClientsService } from '../clients/clients.service.js';
import {
  AccessDeniedError,
  ConsentRequiredError,
  LoginRequiredError,
  type OAuthError,
} from '../common/oauth/oauth-error.js';
import { epochSeconds } from '../common/time.js';
import { serverConfig } from '../config/server.config.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import {
  AuthorizationPageError,
  AuthorizationRedirectError,
  type AuthorizationRequest,
  type ResponseTarget,
} from './authorization-request.js';
import { AuthorizationRequestValidator } from './authorization-request.validator.js';
import { browserCsrf, csrfMatches } from './browser-csrf.js';
import { ConsentService } from './consent.service.js';
import { type Interaction, InteractionService } from './interaction.service.js';
import { consentPage } from './pages/consent.page.js';
import { formActionSource, type Page } from './pages/html.js';
import { loginPage } from './pages/login.page.js';
import { ResponseTypeRegistry } from './response-parts/response-type.registry.js';
import { SessionService, type UserSession } from './session.service.js';
import { SignInService, submittedUsername } from './sign-in.service.js';

/** What the authorization endpoint answers: a page, or a response to the client's redirect URI. */
export type AuthorizeOutcome =
  | { readonly kind: 'page'; readonly page: Page; readonly cookies: string[] }
  | {
      readonly kind: 'response';
      readonly target: ResponseTarget;
      readonly params: Record<string, string>;
      readonly cookies: string[];
    };

export interface BrowserRequest {
  readonly cookieHeader: string | undefined;
  readonly address: string;
}

const EXPIRED = 'The sign-in page has expired. Return to the application and start again.';

/**
 * The authorization endpoint's flow (RFC 6749 §4.1, OpenID Connect Core §3):
 * check the request, sign the user in, ask consent, then let the response
 * parts of the response type mint what goes back to the client.
 */
@Injectable()
export class AuthorizationService {
  constructor(
    private readonly validator: AuthorizationRequestValidator,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly interactions: InteractionService,
    private readonly consents: ConsentService,
    private readonly signIn: SignInService,
    private readonly responseTypes: ResponseTypeRegistry,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
  ) {}

  async authorize(
    params: Readonly<Record<string, unknown>>,
    browser: BrowserRequest,
  ): Promise<AuthorizeOutcome> {
    const { client, request } = await this.validator.validate(params);
    const session = await this.sessions.find(browser.cookieHeader);
    return this.proceed(client, request, session, undefined, browser);
  }

  /** The login form's submission. */
  async login(
    form: Readonly<Record<string, unknown>>,
    browser: BrowserRequest,
  ): Promise<AuthorizeOutcome> {
    const { interaction, client } = await this.resume(form, browser);
    const result = await this.signIn.signIn(form, browser);
    if (!result.ok) {
      const username = submittedUsername(form);
      return {
        kind: 'page',
        page: loginPage(
          { ...this.pageInput(client, interaction), username, error: result.error },
          result.status,
        ),
        cookies: [],
      };
    }
    const { session, cookie } = result;
    const signedIn = await this.interactions.markSignedIn(interaction);
    const outcome = await this.proceed(client, signedIn.request, session, signedIn, browser);
    return { ...outcome, cookies: [cookie, ...outcome.cookies] };
  }

  /** The consent form's submission. */
  async consent(
    form: Readonly<Record<string, unknown>>,
    browser: BrowserRequest,
  ): Promise<AuthorizeOutcome> {
    const { interaction, client } = await this.resume(form, browser);
    const { request } = interaction;
    const session = await this.sessions.find(browser.cookieHeader);
    const user = session === undefined ? null : await this.users.findById(session.subject);
    if (session === undefined || user === null) throw new AuthorizationPageError(EXPIRED);
    // A login page's interaction posted here must not skip the sign-in that prompt=login or max_age asked for.
    if (this.mustSignIn(request, session, interaction)) throw new AuthorizationPageError(EXPIRED);
    if (form.decision === 'allow') {
      await this.consents.grant(user.id, client.clientId, request.scopes);
      return this.respond(client, request, user, session, interaction);
    }
    await this.interactions.finish(interaction);
    throw new AuthorizationRedirectError(
      new AccessDeniedError('the user denied the request'),
      targetOf(request),
    );
  }

  /** A redirectable error as the response parameters it becomes (RFC 6749 §4.1.2.1, RFC 9207). */
  errorParams(error: OAuthError, target: ResponseTarget): Record<string, string> {
    return this.withStateAndIssuer(
      { error: error.error, error_description: error.description },
      target,
    );
  }

  private async proceed(
    client: Client,
    request: AuthorizationRequest,
    session: UserSession | undefined,
    interaction: Interaction | undefined,
    browser: BrowserRequest,
  ): Promise<AuthorizeOutcome> {
    const fail = (error: OAuthError) => new AuthorizationRedirectError(error, targetOf(request));
    const user = session === undefined ? null : await this.users.findById(session.subject);
    if (session === undefined || user === null || this.mustSignIn(request, session, interaction)) {
      if (request.prompt.includes('none'))
        throw fail(new LoginRequiredError('the user is not signed in'));
      return this.show(client, request, interaction, browser, (input) =>
        loginPage({ ...input, username: request.loginHint }),
      );
    }
    if (await this.mustAskConsent(client, request, user)) {
      if (request.prompt.includes('none'))
        throw fail(new ConsentRequiredError('the user has not consented'));
      return this.show(client, request, interaction, browser, (input) =>
        consentPage({ ...input, scopes: request.scopes }),
      );
    }
    return this.respond(client, request, user, session, interaction);
  }

  private mustSignIn(
    request: AuthorizationRequest,
    session: UserSession,
    interaction: Interaction | undefined,
  ): boolean {
    if (interaction?.signedIn) return false;
    if (request.prompt.includes('login')) return true;
    if (request.maxAge === undefined) return false;
    // OpenID Connect Core §3.1.2.1: max_age=0 is prompt=login, even within the second of a sign-in.
    return request.maxAge === 0 || epochSeconds() - session.authTime > request.maxAge;
  }

  private async mustAskConsent(
    client: Client,
    request: AuthorizationRequest,
    user: UserEntity,
  ): Promise<boolean> {
    if (request.prompt.includes('consent')) return true;
    if (!client.metadata.require_consent) return false;
    const granted = await this.consents.grantedScopes(user.id, client.clientId);
    return request.scopes.some((scope) => !granted.has(scope));
  }

  private async show(
    client: Client,
    request: AuthorizationRequest,
    existing: Interaction | undefined,
    browser: BrowserRequest,
    render: (input: ReturnType<AuthorizationService['pageInput']>) => Page,
  ): Promise<AuthorizeOutcome> {
    const csrf = browserCsrf(browser.cookieHeader, this.sessions.secure);
    const interaction = existing ?? (await this.interactions.create(request, csrf.value));
    return {
      kind: 'page',
      page: render(this.pageInput(client, interaction)),
      cookies: csrf.cookie ? [csrf.cookie] : [],
    };
  }

  private pageInput(client: Client, interaction: Interaction) {
    return {
      clientName: client.metadata.client_name ?? client.clientId,
      interaction: interaction.handle,
      csrf: interaction.csrf,
      formActions: [formActionSource(interaction.request.redirectUri)],
    };
  }

  private async respond(
    client: Client,
    request: AuthorizationRequest,
    user: UserEntity,
    session: UserSession,
    interaction: Interaction | undefined,
  ): Promise<AuthorizeOutcome> {
    const context = { client, request, user, authTime: session.authTime, sid: session.sid };
    const params: Record<string, string> = {};
    for (const part of this.responseTypes.partsOf(request.responseType))
      await part.contribute(context, params);
    if (interaction !== undefined) await this.interactions.finish(interaction);
    const target = targetOf(request);
    return {
      kind: 'response',
      target,
      params: this.withStateAndIssuer(params, target),
      cookies: [],
    };
  }

  /** Loads the interaction a page submitted, after its CSRF check. */
  private async resume(
    form: Readonly<Record<string, unknown>>,
    browser: BrowserRequest,
  ): Promise<{ interaction: Interaction; client: Client }> {
    const handle = typeof form.interaction === 'string' ? form.interaction : undefined;
    const interaction = handle === undefined ? undefined : await this.interactions.find(handle);
    if (interaction === undefined) throw new AuthorizationPageError(EXPIRED);
    if (!csrfMatches(browser.cookieHeader, form.csrf_token, interaction.csrf)) {
      throw new AuthorizationPageError(
        'The form was not submitted from this site (CSRF check failed).',
        403,
      );
    }
    const client = await this.clients.find(interaction.request.clientId);
    if (client === undefined) throw new AuthorizationPageError('the client is unknown');
    return { interaction, client };
  }

  private withStateAndIssuer(
    params: Record<string, string>,
    target: ResponseTarget,
  ): Record<string, string> {
    return {
      ...params,
      ...(target.state !== undefined ? { state: target.state } : {}),
      iss: this.server.issuer,
    };
  }
}

function targetOf(request: AuthorizationRequest): ResponseTarget {
  return {
    redirectUri: request.redirectUri,
    responseMode: request.responseMode,
    state: request.state,
  };
}
