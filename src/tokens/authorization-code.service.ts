import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { timeOrderedId } from '../common/crypto/time-ordered-id.js';
import type { Client } from '../clients/client.js';
import { constantTimeEquals } from '../common/crypto/secrets.js';
import { newGrantHandle } from './grant-handle.js';
import { InvalidGrantError, InvalidRequestError } from '../common/oauth/oauth-error.js';
import { epochSeconds } from '../common/time.js';
import { PersistedGrantStore } from './persisted-grant.store.js';
import { type RecordedAccessToken, TokenFamilies } from './token-families.js';

/** RFC 6749 §4.1.2: short-lived; this service keeps codes 60 s. */
export const AUTHORIZATION_CODE_TTL_MS = 60_000;

/** What an authorization code stands for; kept in its row's payload. */
export interface AuthorizationCodeGrant {
  readonly subject: string;
  readonly username?: string;
  /** Space-separated granted scopes. */
  readonly scope: string;
  readonly redirectUri: string;
  /** Whether the authorization request carried redirect_uri (then the token request must, §4.1.3). */
  readonly redirectUriGiven: boolean;
  readonly codeChallenge?: string;
  readonly nonce?: string;
  readonly authTime: number;
  readonly sid?: string;
}

export interface RedeemedAuthorizationCode {
  readonly grant: AuthorizationCodeGrant;
  /** Every token issued from the code joins this family, so that a replay can revoke them. */
  readonly familyId: string;
  /** The jti the access token must carry (recorded on the code before any token exists). */
  readonly accessTokenJti: string;
  /** The access token's iat, fixed here so that its exp is the one recorded on the code. */
  readonly accessTokenIssuedAt: number;
}

const INVALID = 'the authorization code is invalid, expired or already used';
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * Authorization codes: single use, bound to the client, the redirect URI and
 * the PKCE challenge (RFC 7636), valid 60 s. A second redemption fails and
 * revokes what the first one issued (RFC 6749 §4.1.2).
 */
@Injectable()
export class AuthorizationCodeService {
  private readonly logger = new Logger('AuthorizationCodes');

  constructor(
    private readonly store: PersistedGrantStore,
    private readonly families: TokenFamilies,
  ) {}

  async issue(client: Client, grant: AuthorizationCodeGrant): Promise<string> {
    const code = newGrantHandle();
    await this.store.add({
      type: 'authorization_code',
      handle: code,
      clientId: client.clientId,
      subject: grant.subject,
      familyId: timeOrderedId(),
      expiresAt: Date.now() + AUTHORIZATION_CODE_TTL_MS,
      payload: { ...grant },
    });
    return code;
  }

  /**
   * Redeems a code. Every check runs first, so a refused request leaves the
   * code as it was. Then `issue` stores the tokens, in the code's family, and
   * only then is the code consumed. A request that finds the code consumed
   * revokes the family, and by then the winner's tokens are stored: whatever
   * order a race takes, a replay leaves none of them alive (RFC 6749 §4.1.2).
   * A request that loses the consume loses the tokens it stored with it.
   */
  async redeem<T>(
    code: string,
    client: Client,
    redirectUri: string | undefined,
    codeVerifier: string | undefined,
    issue: (redeemed: RedeemedAuthorizationCode) => Promise<T>,
  ): Promise<T> {
    const now = Date.now();
    const row = await this.store.findByHandle(code, 'authorization_code');
    if (row === null) throw new InvalidGrantError(INVALID, 'unknown authorization code');
    if (row.clientId !== client.clientId) {
      throw new InvalidGrantError(
        INVALID,
        `code of client ${row.clientId} presented by ${client.clientId}`,
      );
    }
    const grant = row.payload as unknown as AuthorizationCodeGrant & RecordedAccessToken;
    if (row.consumedAt !== null) {
      await this.revokeIssued(row.familyId, client);
      throw new InvalidGrantError(INVALID, 'authorization code replayed');
    }
    if (row.expiresAt <= now) throw new InvalidGrantError(INVALID, 'expired authorization code');
    if (grant.redirectUriGiven && redirectUri === undefined) {
      throw new InvalidRequestError('redirect_uri is required: the authorization request had one');
    }
    if (redirectUri !== undefined && redirectUri !== grant.redirectUri) {
      throw new InvalidGrantError('redirect_uri does not match the authorization request');
    }
    checkPkce(grant.codeChallenge, codeVerifier);

    const accessTokenJti = timeOrderedId();
    const accessTokenIssuedAt = epochSeconds(now);
    const accessTokenExp = accessTokenIssuedAt + client.metadata.access_token_ttl;
    const issued = await issue({
      grant,
      familyId: row.familyId,
      accessTokenJti,
      accessTokenIssuedAt,
    });
    const consumed = await this.store.consume(row.id, now, {
      payload: { ...grant, accessTokenJti, accessTokenExp },
      // The record outlives the code's 60 s: a revocation must find it while the token is valid.
      expiresAt: Math.max(row.expiresAt, accessTokenExp * 1000),
    });
    if (!consumed) {
      // The winner's consume recorded its access token on the code's row: revoked with the family.
      await this.revokeIssued(row.familyId, client);
      throw new InvalidGrantError(INVALID, 'authorization code redeemed concurrently');
    }
    return issued;
  }

  /** A replayed code: its family goes, with the JWT access tokens recorded on it. */
  private async revokeIssued(familyId: string, client: Client): Promise<void> {
    this.logger.warn(
      `authorization code replay: client_id=${client.clientId} family=${familyId} revoked`,
    );
    await this.families.revoke(familyId);
  }
}

/** RFC 7636 §4.6, and no verifier without a challenge (PKCE downgrade, RFC 9700 §2.1.1). */
function checkPkce(challenge: string | undefined, verifier: string | undefined): void {
  if (challenge === undefined) {
    if (verifier !== undefined) {
      throw new InvalidGrantError(
        'code_verifier was sent but the authorization request had no code_challenge',
      );
    }
    return;
  }
  if (verifier === undefined) throw new InvalidGrantError('code_verifier is required (PKCE)');
  if (!VERIFIER.test(verifier)) {
    throw new InvalidGrantError(
      'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~',
    );
  }
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  if (!constantTimeEquals(computed, challenge)) {
    throw new InvalidGrantError('code_verifier does not match the code_challenge');
  }
}
