import { Injectable } from '@nestjs/common';
import type { BrowserRequest } from '../../authorize/authorization.service.js';
import { browserCsrf, csrfMatches } from '../../authorize/browser-csrf.js';
import { ConsentService } from '../../authorize/consent.service.js';
import { consentPage } from '../../authorize/pages/consent.page.js';
import type { Page } from '../../authorize/pages/html.js';
import { loginPage } from '../../authorize/pages/login.page.js';
import { errorPage } from '../../authorize/pages/message.page.js';
import { SessionService, type UserSession } from '../../authorize/session.service.js';
import { SignInService, submittedUsername } from '../../authorize/sign-in.service.js';
import { ClientsService } from '../../clients/clients.service.js';
import { SharedStateUnavailableError } from '../../shared-state/shared-state-unavailable.error.js';
import type { UserEntity } from '../../users/user.entity.js';
import { UsersService } from '../../users/users.service.js';
import {
  DeviceAuthorizationService,
  type PendingDeviceAuthorization,
  VERIFICATION_PATH,
} from './device-authorization.service.js';
import { deviceConnectedPage, deviceDeniedPage, userCodePage } from './device.pages.js';
import { formatUserCode, normalizeUserCode } from './user-code.js';
import { UserCodeThrottle } from './user-code.throttle.js';

/** A page to send, with any Set-Cookie values. */
export interface DevicePageOutcome {
  readonly page: Page;
  readonly cookies: string[];
}

const WRONG_CODE = 'That code is not valid or has expired. Check the code on your device.';
const TOO_MANY = 'Too many wrong codes. Try again later.';
const UNAVAILABLE = 'Codes cannot be checked just now. Try again in a moment.';
const CSRF_FAILED = 'The form was not submitted from this site (CSRF check failed).';
const LOGIN_ACTION = `/${VERIFICATION_PATH}/login`;
const CONSENT_ACTION = `/${VERIFICATION_PATH}/consent`;

type Lookup =
  | { readonly ok: true; readonly pending: PendingDeviceAuthorization; readonly clientName: string }
  | { readonly ok: false; readonly outcome: DevicePageOutcome };

/**
 * The user's side of the device flow (RFC 8628 §3.3): the code entry page,
 * then the authorization endpoint's login form and session, then a consent
 * page that is always shown (§5.4: the user confirms it is their device).
 * The forms carry the user code (hidden field `interaction`) and the
 * browser's CSRF value; every step looks the code up again.
 */
@Injectable()
export class DeviceVerificationService {
  constructor(
    private readonly devices: DeviceAuthorizationService,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly signIn: SignInService,
    private readonly consents: ConsentService,
    private readonly throttle: UserCodeThrottle,
  ) {}

  /** GET of the verification URI; `user_code` (verification_uri_complete) fills the form in. */
  show(userCode: unknown, browser: BrowserRequest): DevicePageOutcome {
    const csrf = browserCsrf(browser.cookieHeader, this.sessions.secure);
    const normalized = normalizeUserCode(userCode);
    return {
      page: userCodePage({
        csrf: csrf.value,
        userCode: normalized === undefined ? undefined : formatUserCode(normalized),
      }),
      cookies: csrf.cookie ? [csrf.cookie] : [],
    };
  }

  /** The code entry form: on a good code, the login page or (signed in) the consent page. */
  async enter(
    form: Readonly<Record<string, unknown>>,
    browser: BrowserRequest,
  ): Promise<DevicePageOutcome> {
    if (!csrfMatches(browser.cookieHeader, form.csrf_token)) return forbidden();
    const found = await this.lookup(form.user_code, browser);
    if (!found.ok) return found.outcome;
    const signedIn = await this.signedInUser(browser);
    return signedIn === undefined
      ? this.loginOutcome(found, browser)
      : this.consentOutcome(found, browser);
  }

  async login(
    form: Readonly<Record<string, unknown>>,
    browser: BrowserRequest,
  ): Promise<DevicePageOutcome> {
    if (!csrfMatches(browser.cookieHeader, form.csrf_token)) return forbidden();
    const found = await this.lookup(form.interaction, browser);
    if (!found.ok) return found.outcome;
    const result = await this.signIn.signIn(form, browser);
    if (!result.ok) {
      const retry = this.loginOutcome(found, browser, {
        username: submittedUsername(form),
        error: result.error,
        status: result.status,
      });
      return retry;
    }
    const consent = this.consentOutcome(found, browser);
    return { ...consent, cookies: [result.cookie, ...consent.cookies] };
  }

  async consent(
    form: Readonly<Record<string, unknown>>,
    browser: BrowserRequest,
  ): Promise<DevicePageOutcome> {
    if (!csrfMatches(browser.cookieHeader, form.csrf_token)) return forbidden();
    const found = await this.lookup(form.interaction, browser);
    if (!found.ok) return found.outcome;
    const signedIn = await this.signedInUser(browser);
    if (signedIn === undefined) return this.loginOutcome(found, browser);
    if (form.decision !== 'allow' && form.decision !== 'deny') {
      return { page: errorPage('decision must be allow or deny'), cookies: [] };
    }
    const { pending, clientName } = found;
    const { user, session } = signedIn;
    const decided = await this.devices.decide(
      pending,
      form.decision === 'allow'
        ? {
            allow: true,
            approver: {
              subject: user.id,
              username: user.username,
              authTime: session.authTime,
              sid: session.sid,
            },
          }
        : { allow: false },
    );
    if (!decided) return this.codeEntryAgain(browser, WRONG_CODE, 400);
    if (form.decision === 'deny') return { page: deviceDeniedPage(clientName), cookies: [] };
    // Deleting a user deletes the user, then their grants (revokeSubject): when that
    // ran between signedInUser and this approval's write, the code is withdrawn here.
    if ((await this.users.findById(user.id)) === null) {
      await this.devices.withdraw(pending);
      return { page: errorPage('the signed-in account no longer exists'), cookies: [] };
    }
    await this.consents.grant(user.id, pending.clientId, pending.scopes);
    return { page: deviceConnectedPage(clientName), cookies: [] };
  }

  /** A user code from a form, rate-limited per address: wrong ones count, too many get 429. */
  private async lookup(input: unknown, browser: BrowserRequest): Promise<Lookup> {
    let blocked: boolean;
    try {
      blocked = await this.throttle.isBlocked(browser.address);
    } catch (error) {
      // Fail closed (UserCodeThrottle): no code is looked up without the counters.
      if (!(error instanceof SharedStateUnavailableError)) throw error;
      return { ok: false, outcome: this.codeEntryAgain(browser, UNAVAILABLE, 503) };
    }
    if (blocked) {
      return { ok: false, outcome: this.codeEntryAgain(browser, TOO_MANY, 429) };
    }
    const userCode = normalizeUserCode(input);
    const pending = userCode === undefined ? undefined : await this.devices.findPending(userCode);
    const client = pending === undefined ? undefined : await this.clients.find(pending.clientId);
    if (pending === undefined || client === undefined) {
      // Should the store fail just now, the answer is still the truth; the next entry fails closed.
      await this.throttle.recordFailure(browser.address).catch((error: unknown) => {
        if (!(error instanceof SharedStateUnavailableError)) throw error;
      });
      const typed = typeof input === 'string' ? input.slice(0, 64) : undefined;
      return { ok: false, outcome: this.codeEntryAgain(browser, WRONG_CODE, 400, typed) };
    }
    return { ok: true, pending, clientName: client.metadata.client_name ?? client.clientId };
  }

  private async signedInUser(
    browser: BrowserRequest,
  ): Promise<{ user: UserEntity; session: UserSession } | undefined> {
    const session = await this.sessions.find(browser.cookieHeader);
    const user = session === undefined ? null : await this.users.findById(session.subject);
    return session === undefined || user === null ? undefined : { user, session };
  }

  private codeEntryAgain(
    browser: BrowserRequest,
    error: string,
    status: number,
    userCode?: string,
  ): DevicePageOutcome {
    const csrf = browserCsrf(browser.cookieHeader, this.sessions.secure);
    return {
      page: userCodePage({ csrf: csrf.value, userCode, error }, status),
      cookies: csrf.cookie ? [csrf.cookie] : [],
    };
  }

  private loginOutcome(
    found: Extract<Lookup, { ok: true }>,
    browser: BrowserRequest,
    retry?: { username: string; error: string; status: number },
  ): DevicePageOutcome {
    const csrf = browserCsrf(browser.cookieHeader, this.sessions.secure);
    const page = loginPage(
      {
        clientName: found.clientName,
        action: LOGIN_ACTION,
        interaction: formatUserCode(found.pending.userCode),
        csrf: csrf.value,
        username: retry?.username,
        error: retry?.error,
        formActions: [],
      },
      retry?.status,
    );
    return { page, cookies: csrf.cookie ? [csrf.cookie] : [] };
  }

  private consentOutcome(
    found: Extract<Lookup, { ok: true }>,
    browser: BrowserRequest,
  ): DevicePageOutcome {
    const csrf = browserCsrf(browser.cookieHeader, this.sessions.secure);
    const shown = formatUserCode(found.pending.userCode);
    const page = consentPage({
      clientName: found.clientName,
      scopes: found.pending.scopes,
      action: CONSENT_ACTION,
      notice: `Allow only if you started this on your own device and it shows the code ${shown}.`,
      interaction: shown,
      csrf: csrf.value,
      formActions: [],
    });
    return { page, cookies: csrf.cookie ? [csrf.cookie] : [] };
  }
}

function forbidden(): DevicePageOutcome {
  return { page: errorPage(CSRF_FAILED, 403), cookies: [] };
}
