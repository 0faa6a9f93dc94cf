import { Injectable } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { BrowserRequest } from './authorization.service.js';
import { LoginThrottle } from './login-throttle.js';
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
    if (this.throttle.isBlocked(username, browser.address)) {
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
      this.throttle.recordFailure(username, browser.address);
      return { ok: false, error: 'The username or password is wrong.', status: 401 };
    }
    this.throttle.recordSuccess(username);
    await this.sessions.end(await this.sessions.find(browser.cookieHeader));
    const { session, cookie } = await this.sessions.start(user.id);
    return { ok: true, user, session, cookie };
  }
}

/** The username a login form submitted, as the page shows it again. */
export function submittedUsername(form: Readonly<Record<string, unknown>>): string {
  return typeof form.username === 'string' ? form.username.slice(0, 255) : '';
}
