import { Injectable } from '@nestjs/common';
import { AccessTokenService } from './access-token.service.js';
import { PersistedGrantStore } from './persisted-grant.store.js';

/**
 * The access token a redemption issued, recorded on the row it consumed (an
 * authorization code, a rotated refresh token), which is kept at least until
 * that token expires, so that revoking the family can revoke it too.
 */
export interface RecordedAccessToken {
  readonly accessTokenJti?: string;
  /** Epoch seconds. */
  readonly accessTokenExp?: number;
}

/**
 * The access token issued beside a family's first refresh token (password
 * and device grants), recorded on that refresh token's row when it is
 * stored, for the same reason.
 */
export interface FirstAccessToken {
  readonly firstAccessTokenJti?: string;
  /** Epoch seconds. */
  readonly firstAccessTokenExp?: number;
}

/**
 * Revokes everything one authorization produced (RFC 6749 §4.1.2 and
 * §10.4, RFC 7009 §2.1): its stored rows (code, refresh and reference
 * tokens) go, in one statement that returns them, and the JWT access tokens
 * recorded on them go on the deny list until they expire. The rows go first:
 * should the deny list fail, no refresh token of the family is left.
 */
@Injectable()
export class TokenFamilies {
  constructor(
    private readonly store: PersistedGrantStore,
    private readonly accessTokens: AccessTokenService,
  ) {}

  async revoke(familyId: string): Promise<void> {
    const nowSeconds = Date.now() / 1000;
    // Twice: on PostgreSQL a DELETE does not see rows committed after it
    // began. A reuse-mode refresh records its JWT (issued_jwt) and then
    // checks that its refresh token is still there; should that record
    // commit while the first DELETE runs, the check still finds the token
    // (the DELETE has not committed), and only the second DELETE, begun
    // after the first committed, is sure to take the record.
    const rows = [
      ...(await this.store.takeFamily(familyId)),
      ...(await this.store.takeFamily(familyId)),
    ];
    const recorded = rows.flatMap((row) => {
      const payload = row.payload as RecordedAccessToken & FirstAccessToken;
      return [
        [payload.accessTokenJti, payload.accessTokenExp],
        [payload.firstAccessTokenJti, payload.firstAccessTokenExp],
      ].flatMap(([jti, exp]) =>
        typeof jti === 'string' && typeof exp === 'number' && exp > nowSeconds
          ? [{ jti, exp, client_id: row.clientId, sub: row.subject ?? '' }]
          : [],
      );
    });
    const denied = await Promise.allSettled(
      recorded.map((claims) => this.accessTokens.revokeJwt(claims)),
    );
    const failed = denied.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}
