import { Injectable } from '@nestjs/common';
import type { Client } from '../clients/client.js';
import { UnauthorizedClientError } from '../common/oauth/oauth-error.js';
import { AccessTokenService } from './access-token.service.js';
import { PersistedGrantStore } from './persisted-grant.store.js';
import { TokenFamilies } from './token-families.js';

/**
 * Revocation (RFC 7009). A refresh token takes its whole family with it
 * (§2.1: access tokens of the same grant SHOULD go too: reference tokens do,
 * and so do the JWTs recorded on the family's rows: a code's, a rotated
 * refresh token's, the first refresh token's of a password or device
 * grant, and each refresh's of a client that reuses its refresh token, on
 * an issued_jwt row). A JWT access token is revoked by its jti. Unknown
 * tokens are not an error (§2.2).
 */
@Injectable()
export class TokenRevocationService {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly store: PersistedGrantStore,
    private readonly families: TokenFamilies,
  ) {}

  async revoke(token: string, hint: string | undefined, caller: Client): Promise<void> {
    // The hint only decides which kind is looked up first (RFC 7009 §2.1).
    if (hint === 'access_token') {
      if (!(await this.access(token, caller))) await this.refresh(token, caller);
    } else if (!(await this.refresh(token, caller))) {
      await this.access(token, caller);
    }
  }

  private async refresh(token: string, caller: Client): Promise<boolean> {
    const row = await this.store.findByHandle(token, 'refresh_token');
    if (row === null) return false;
    assertOwnToken(row.clientId, caller);
    await this.families.revoke(row.familyId);
    return true;
  }

  private async access(token: string, caller: Client): Promise<boolean> {
    const verified = await this.accessTokens.verify(token);
    if (verified === undefined) return false;
    assertOwnToken(verified.claims.client_id, caller);
    if (verified.grantId !== undefined) await this.store.delete(verified.grantId);
    else await this.accessTokens.revokeJwt(verified.claims);
    return true;
  }
}

/** RFC 7009 §2.1: the server checks the token was issued to the client asking to revoke it. */
function assertOwnToken(tokenClientId: string, caller: Client): void {
  if (tokenClientId !== caller.clientId) {
    throw new UnauthorizedClientError('the token was not issued to this client');
  }
}
