import { Injectable, Logger } from '@nestjs/common';
import { timeOrderedId } from '../common/crypto/time-ordered-id.js';
import type { Client } from '../clients/client.js';
import { newGrantHandle } from './grant-handle.js';
import { InvalidGrantError } from '../common/oauth/oauth-error.js';
import { epochSeconds } from '../common/time.js';
import type { PersistedGrantEntity } from './persisted-grant.entity.js';
import { type NewPersistedGrant, PersistedGrantStore } from './persisted-grant.store.js';
import { grantedScopes, parseScope } from './scopes.js';
import {
  type FirstAccessToken,
  type RecordedAccessToken,
  TokenFamilies,
} from './token-families.js';

/** What a refresh token stands for; kept in its row's payload. */
export interface RefreshTokenGrant {
  readonly subject: string;
  readonly username?: string;
  /** Space-separated: the scope of the original authorization (RFC 6749 §6). */
  readonly scope: string;
  readonly authTime?: number;
  /** Absolute expiry of the whole family, epoch ms. */
  readonly familyExpiresAt: number;
}

export interface RedeemedRefreshToken {
  readonly grant: RefreshTokenGrant;
  readonly familyId: string;
  /** The scopes for the new access token: as requested, within the original grant and the client's scopes. */
  readonly scopes: string[];
  /** The jti the access token must carry (recorded on the rotated token, for the family's revocation). */
  readonly accessTokenJti: string;
  /** The access token's iat, fixed here so that its exp is the one recorded. */
  readonly accessTokenIssuedAt: number;
}

/** The jti and iat fixed for an access token before it is issued, so that it can be recorded. */
export interface AccessTokenIdentity {
  readonly jti: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
}

const INVALID = 'the refresh token is invalid, expired or revoked';

/** A refresh of a client that reuses refresh tokens, checked and about to issue. */
interface ReusedRefresh {
  readonly handle: string;
  readonly row: PersistedGrantEntity;
  readonly client: Client;
  readonly redeemed: RedeemedRefreshToken;
  /** The sliding expiry to extend the refresh token to, epoch ms; undefined when absolute. */
  readonly extendTo: number | undefined;
  readonly now: number;
}

/**
 * Refresh tokens: issued into a family, rotated on every use by default,
 * with reuse of a rotated token revoking the whole family (OAuth 2.0
 * Security BCP §4.14.2). Clients may choose `reuse` and `sliding` instead.
 */
@Injectable()
export class RefreshTokenService {
  private readonly logger = new Logger('RefreshTokens');

  constructor(
    private readonly store: PersistedGrantStore,
    private readonly families: TokenFamilies,
  ) {}

  /**
   * A new refresh token starting a family (or joining the one of the code it
   * comes from). `besideAccessToken`: the access token issued with it, when
   * nothing else records it (password and device grants); it is recorded on
   * this token's row, so that revoking the family revokes that JWT too.
   */
  async issue(
    client: Client,
    grant: Omit<RefreshTokenGrant, 'familyExpiresAt'>,
    familyId: string = timeOrderedId(),
    besideAccessToken?: AccessTokenIdentity,
  ): Promise<{ token: string; familyId: string }> {
    const now = Date.now();
    const expiresAt = now + client.metadata.refresh_token_ttl * 1000;
    const token = newGrantHandle();
    const family = { ...grant, familyExpiresAt: expiresAt };
    const recorded: FirstAccessToken =
      besideAccessToken === undefined
        ? {}
        : {
            firstAccessTokenJti: besideAccessToken.jti,
            firstAccessTokenExp: besideAccessToken.issuedAt + client.metadata.access_token_ttl,
          };
    const row = refreshTokenRow(token, client, familyId, { ...family, ...recorded }, expiresAt);
    await this.store.add(row, now);
    return { token, familyId };
  }

  /**
   * Redeems a refresh token presented by `client`, rotating it unless the
   * client reuses tokens. Every check runs before anything is written, so a
   * refused request leaves the token as it was. Then `issue` issues the
   * access token (a reference token stored in the family) and only then is
   * the old refresh token consumed, with that access token recorded on it:
   * a request that finds it consumed revokes the family, and by then the
   * winner's tokens are stored or recorded, whatever order a race takes.
   */
  async redeem<T>(
    handle: string,
    client: Client,
    requestedScope: string | undefined,
    issue: (redeemed: RedeemedRefreshToken) => Promise<T>,
  ): Promise<{ issued: T; refreshToken: string }> {
    const now = Date.now();
    const row = await this.store.findByHandle(handle, 'refresh_token');
    if (row === null) throw new InvalidGrantError(INVALID, 'unknown refresh token');
    if (row.clientId !== client.clientId) {
      throw new InvalidGrantError(
        INVALID,
        `refresh token of client ${row.clientId} presented by ${client.clientId}`,
      );
    }
    if (row.consumedAt !== null) {
      await this.revokeReused(row.familyId, client);
      throw new InvalidGrantError(INVALID, 'reuse of a rotated refresh token');
    }
    if (row.expiresAt <= now) throw new InvalidGrantError(INVALID, 'expired refresh token');
    const grant = familyGrant(row.payload as unknown as RefreshTokenGrant);
    // RFC 6749 §6: no scope beyond the original grant; scopes the client has since lost are dropped.
    const scopes = grantedScopes(requestedScope, new Set(parseScope(grant.scope))).filter((scope) =>
      client.scopes.has(scope),
    );
    const sliding = client.metadata.refresh_token_expiration === 'sliding';
    const nextExpiry = sliding
      ? now + client.metadata.refresh_token_ttl * 1000
      : grant.familyExpiresAt;
    const accessTokenJti = timeOrderedId();
    const accessTokenIssuedAt = epochSeconds(now);
    const redeemed = { grant, familyId: row.familyId, scopes, accessTokenJti, accessTokenIssuedAt };

    if (client.metadata.refresh_token_usage === 'reuse') {
      const extendTo = sliding ? nextExpiry : undefined;
      const reused = { handle, row, client, redeemed, extendTo, now };
      return { issued: await this.redeemReused(reused, issue), refreshToken: handle };
    }
    const issued = await issue(redeemed);
    const refreshToken = newGrantHandle();
    const replacement = refreshTokenRow(refreshToken, client, row.familyId, grant, nextExpiry);
    const recorded = {
      accessTokenJti,
      accessTokenExp: accessTokenIssuedAt + client.metadata.access_token_ttl,
    } satisfies RecordedAccessToken;
    const change = {
      // The row keeps what it recorded before (the first access token, if any).
      payload: { ...row.payload, ...recorded },
      // Kept until the access tokens it records expire, even past the family's end.
      expiresAt: Math.max(
        row.expiresAt,
        recorded.accessTokenExp * 1000,
        ((row.payload as FirstAccessToken).firstAccessTokenExp ?? 0) * 1000,
      ),
    };
    if (!(await this.store.exchange(row.id, replacement, now, change))) {
      // Another request consumed it first: one of the two holders is not the client.
      await this.revokeReused(row.familyId, client);
      throw new InvalidGrantError(INVALID, 'concurrent reuse of a refresh token');
    }
    return { issued, refreshToken };
  }

  /**
   * A refresh of a client that reuses refresh tokens: nothing is consumed,
   * so a JWT access token is recorded in the family first, on a row of its
   * own, before it exists. After it is issued the refresh token must still
   * be there: a revocation that came between the lookup and the record may
   * have missed the record, so the family is revoked again and the request
   * refused.
   */
  private async redeemReused<T>(
    { handle, row, client, redeemed, extendTo, now }: ReusedRefresh,
    issue: (redeemed: RedeemedRefreshToken) => Promise<T>,
  ): Promise<T> {
    if (client.metadata.access_token_format !== 'reference') {
      const accessTokenExp = redeemed.accessTokenIssuedAt + client.metadata.access_token_ttl;
      await this.store.add(
        {
          type: 'issued_jwt',
          // Never presented: only the family's revocation reads this row.
          handle: newGrantHandle(),
          clientId: client.clientId,
          subject: row.subject,
          familyId: row.familyId,
          expiresAt: accessTokenExp * 1000,
          payload: {
            accessTokenJti: redeemed.accessTokenJti,
            accessTokenExp,
          } satisfies RecordedAccessToken,
        },
        now,
      );
    }
    if (extendTo !== undefined) await this.store.extend(row.id, extendTo);
    const issued = await issue(redeemed);
    if ((await this.store.findByHandle(handle, 'refresh_token')) === null) {
      await this.families.revoke(row.familyId);
      throw new InvalidGrantError(INVALID, 'refresh token revoked during the refresh');
    }
    return issued;
  }

  private async revokeReused(familyId: string, client: Client): Promise<void> {
    this.logger.warn(
      `refresh token reuse detected: client_id=${client.clientId} family=${familyId} revoked`,
    );
    await this.families.revoke(familyId);
  }
}

/** What a refresh token's row says of its family, without what it records. */
function familyGrant(payload: RefreshTokenGrant): RefreshTokenGrant {
  const { subject, username, scope, authTime, familyExpiresAt } = payload;
  return {
    subject,
    scope,
    familyExpiresAt,
    ...(username !== undefined ? { username } : {}),
    ...(authTime !== undefined ? { authTime } : {}),
  };
}

function refreshTokenRow(
  handle: string,
  client: Client,
  familyId: string,
  grant: RefreshTokenGrant,
  expiresAt: number,
): NewPersistedGrant {
  return {
    type: 'refresh_token',
    handle,
    clientId: client.clientId,
    subject: grant.subject,
    familyId,
    expiresAt,
    payload: { ...grant },
  };
}
