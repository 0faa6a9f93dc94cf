import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import { SharedStateUnavailableError } from '../shared-state/shared-state-unavailable.error.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { BrowserRequest } from './authorization.service.js';
import { LoginThrottle } from '../users/login-throttle.js';
import { SessionService, type UserSession } from './session.service.js';

/** A login form's outcome: the user with a new session and its cookie, or what to show again. */
export type SignInResult =
  | {
      readonly ok: true;
      readonly user: UserEntity;
      readonly session: UserSession;
      readonly cookie: string;
    }
  | { readonly ok: false; readonly error: string; readonly status: number };

/**
 * The login form's check, shared by every flow that signs a user in at this
 * server (the authorization endpoint, the device flow's verification page):
 * the throttle, the password, then a new session replacing the browser's old one.
 */
@Injectable()
export class SignInService {
  private readonly logger = new Logger('SignIn');

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
    private readonly metrics: MetricsService,
  ) {}

  async signIn(
    form: Readonly<Record<string, unknown>>,
    browser: BrowserRequest,
  ): Promise<SignInResult> {
    const username = submittedUsername(form);
    const password = typeof form.password === 'string' ? form.password.slice(0, 1024) : '';
    let blocked: boolean;
    try {
      blocked = await this.throttle.isBlocked(username, browser.address);
    } catch (error) {
      if (!(error instanceof SharedStateUnavailableError)) throw error;
      // Fail closed (LoginThrottle): no password is checked without the failure counters.
      // The connection logged the outage once; not a line per attempt.
      this.logger.debug(`sign-in refused: ${error.message}`);
      return { ok: false, error: UNAVAILABLE, status: 503 };
    }
    if (blocked) {
      return {
        ok: false,
        error: 'Too many failed sign-in attempts. Try again later.',
        status: 429,
      };
    }
    const user =
      username === '' || password === ''
        ? undefined
        : await this.users.verifyPassword(username, password);
    if (user === undefined) {
      this.metrics.passwordCheckFailed('login_form');
      // Should the store fail just now, the answer is still the truth; the next attempt fails closed.
      await this.throttle.recordFailure(username, browser.address).catch(this.unrecorded);
      return { ok: false, error: 'The username or password is wrong.', status: 401 };
    }
    await this.throttle.recordSuccess(username).catch(this.unrecorded);
    await this.sessions.end(await this.sessions.find(browser.cookieHeader));
    const { session, cookie } = await this.sessions.start(user.id);
    return { ok: true, user, session, cookie };
  }

  private readonly unrecorded = (error: unknown): void => {
    if (!(error instanceof SharedStateUnavailableError)) throw error;
    this.logger.debug(`sign-in outcome not recorded: ${error.message}`);
  };
}

const UNAVAILABLE = 'Signing in is temporarily unavailable. Try again in a moment.';

/** The username a login form submitted, as the page shows it again. */
export function submittedUsername(form: Readonly<Record<string, unknown>>): string {
  return typeof form.username === 'string' ? form.username.slice(0, 255) : '';
}
