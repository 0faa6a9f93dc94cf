import { Injectable } from '@nestjs/common';
import { AccessTokenService } from './access-token.service.js';
import { PersistedGrantStore } from './persisted-grant.store.js';

/**
 * The access token a redemption issued, recorded on the row it consumed (an
 * authorization code, a rotated refresh token) so that revoking the family
 * can revoke it too, JWT or not.
 */
export interface RecordedAccessToken {
  readonly accessTokenJti?: string;
  /** Epoch seconds. */
  readonly accessTokenExp?: number;
}

/**
 * Revokes everything one authorization produced (RFC 6749 §4.1.2 and
 * §10.4, RFC 7009 §2.1): its stored rows (code, refresh and reference
 * tokens) go, and the JWT access tokens recorded on them go on the deny list
 * until they expire. A redemption that consumes its row after the family's
 * rows were read and before they were deleted leaves its JWT valid until it
 * expires (its refresh token is gone either way).
 */
@Injectable()
export class TokenFamilies {
  constructor(
    private readonly store: PersistedGrantStore,
    private readonly accessTokens: AccessTokenService,
  ) {}

  async revoke(familyId: string): Promise<void> {
    const nowSeconds = Date.now() / 1000;
    const rows = await this.store.findFamily(familyId);
    const recorded = rows.flatMap((row) => {
      const { accessTokenJti: jti, accessTokenExp: exp } = row.payload as RecordedAccessToken;
      return typeof jti === 'string' && typeof exp === 'number' && exp > nowSeconds
        ? [{ jti, exp, client_id: row.clientId, sub: row.subject ?? '' }]
        : [];
    });
    await Promise.all(recorded.map((claims) => this.accessTokens.revokeJwt(claims)));
    await this.store.revokeFamily(familyId);
  }
}
