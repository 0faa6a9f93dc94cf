import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { timeOrderedId } from '../common/crypto/time-ordered-id.js';
import { newGrantHandle } from '../tokens/grant-handle.js';
import { clearCookie, readCookie, setCookie } from '../common/http/cookies.js';
import { epochSeconds } from '../common/time.js';
import { serverConfig } from '../config/server.config.js';
import { PersistedGrantStore } from '../tokens/persisted-grant.store.js';

export const SESSION_COOKIE = 'idsvc_session';
/** A sign-in lasts at most this long, however active. */
export const SESSION_TTL_SECONDS = 12 * 3600;
/** Sessions are not tied to a client; the store's client_id column says so. */
const NO_CLIENT = '';

export interface UserSession {
  /** The store row, to end the session. */
  readonly id: string;
  /** The public session id, in ID tokens as `sid`. */
  readonly sid: string;
  readonly subject: string;
  /** Epoch seconds of the authentication. */
  readonly authTime: number;
}

/**
 * The user's sign-in at this server: a 256-bit handle in an HttpOnly cookie
 * (Secure when the issuer is https), its SHA-256 in the persisted-grant store.
 */
@Injectable()
export class SessionService {
  private readonly secureCookies: boolean;

  constructor(
    private readonly store: PersistedGrantStore,
    @Inject(serverConfig.KEY) server: ConfigType<typeof serverConfig>,
  ) {
    this.secureCookies = server.issuer.startsWith('https:');
  }

  async find(cookieHeader: string | undefined): Promise<UserSession | undefined> {
    const handle = readCookie(cookieHeader, SESSION_COOKIE);
    if (handle === undefined) return undefined;
    const row = await this.store.findByHandle(handle, 'session');
    if (row === null || row.expiresAt <= Date.now() || row.subject === null) return undefined;
    return {
      id: row.id,
      sid: row.familyId,
      subject: row.subject,
      authTime: Number(row.payload.authTime),
    };
  }

  /** A new session for a user who just authenticated; returns it and its Set-Cookie value. */
  async start(subject: string): Promise<{ session: UserSession; cookie: string }> {
    const handle = newGrantHandle();
    const authTime = epochSeconds();
    const sid = timeOrderedId();
    const row = await this.store.add({
      type: 'session',
      handle,
      clientId: NO_CLIENT,
      subject,
      familyId: sid,
      expiresAt: Date.now() + SESSION_TTL_SECONDS * 1000,
      payload: { authTime },
    });
    return {
      session: { id: row.id, sid, subject, authTime },
      cookie: setCookie(SESSION_COOKIE, handle, {
        path: '/',
        secure: this.secureCookies,
        maxAge: SESSION_TTL_SECONDS,
      }),
    };
  }

  /** Ends a session; returns the Set-Cookie value that clears the cookie. */
  async end(session: UserSession | undefined): Promise<string> {
    if (session !== undefined) await this.store.delete(session.id);
    return clearCookie(SESSION_COOKIE, { path: '/', secure: this.secureCookies });
  }

  get secure(): boolean {
    return this.secureCookies;
  }
}
