import { randomHandle, constantTimeEquals } from '../common/crypto/secrets.js';
import { readCookie, setCookie } from '../common/http/cookies.js';

export const CSRF_COOKIE = 'idsvc_csrf';

/**
 * Double-submit CSRF protection of the login, consent and sign-out forms:
 * an HttpOnly cookie per browser, repeated in a hidden field that only a page
 * of this site can know.
 */
export function browserCsrf(
  cookieHeader: string | undefined,
  secure: boolean,
): { value: string; cookie?: string } {
  const existing = readCookie(cookieHeader, CSRF_COOKIE);
  if (existing !== undefined) return { value: existing };
  const value = randomHandle();
  return { value, cookie: setCookie(CSRF_COOKIE, value, { path: '/', secure }) };
}

export function csrfMatches(
  cookieHeader: string | undefined,
  submitted: unknown,
  expected?: string,
): boolean {
  const cookie = readCookie(cookieHeader, CSRF_COOKIE);
  if (
    cookie === undefined ||
    typeof submitted !== 'string' ||
    !constantTimeEquals(cookie, submitted)
  )
    return false;
  return expected === undefined || constantTimeEquals(cookie, expected);
}
