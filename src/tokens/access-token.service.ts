import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { timeOrderedId } from '../common/crypto/time-ordered-id.js';
import type { Client } from '../clients/client.js';
import { newGrantHandle } from './grant-handle.js';
import { epochSeconds } from '../common/time.js';
import { serverConfig } from '../config/server.config.js';
import { tokensConfig } from '../config/tokens.config.js';
import { signCompactJws } from '../keys/jws-signer.js';
import { KeysService } from '../keys/keys.service.js';
import { verifyCompactJws } from '../keys/jws-verifier.js';
import { PersistedGrantStore } from './persisted-grant.store.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { accessTokenClaimsOf, isAccessTokenType } from './jwt-access-token-claims.js';
import type { AccessTokenClaims, AccessTokenSubject } from './token-claims.js';

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
  readonly claims: AccessTokenClaims;
}

/** A token of this service, found valid by its signature or its row; what it says and where it came from. */
export interface VerifiedAccessToken {
  readonly format: 'jwt' | 'reference';
  readonly claims: AccessTokenClaims;
  /** Reference tokens: the persisted row's id, to revoke it. */
  readonly grantId?: string;
}

/**
 * Access tokens in either format: RFC 9068 JWTs signed with the current key
 * of the client's (or the service's) algorithm, or reference tokens whose
 * claims live in the persisted-grant store.
 */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly keys: KeysService,
    private readonly store: PersistedGrantStore,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
    @Inject(tokensConfig.KEY) private readonly tokens: ConfigType<typeof tokensConfig>,
  ) {}

  async issue(client: Client, subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    const ttl = client.metadata.access_token_ttl;
    const iat = subject.issuedAt ?? epochSeconds();
    const claims: AccessTokenClaims = {
      iss: this.server.issuer,
      sub: subject.subject ?? client.clientId,
      aud: audienceClaim(subject.audience) ?? this.server.issuer,
      client_id: client.clientId,
      ...(subject.scopes.length > 0 ? { scope: subject.scopes.join(' ') } : {}),
      jti: subject.jti ?? timeOrderedId(),
      iat,
      exp: iat + ttl,
      ...(subject.authTime !== undefined ? { auth_time: subject.authTime } : {}),
      ...(subject.act !== undefined ? { act: subject.act } : {}),
    };
    if (client.metadata.access_token_format === 'reference') {
      const token = newGrantHandle();
      await this.store.add({
        type: 'access_token',
        handle: token,
        clientId: client.clientId,
        subject: subject.subject ?? null,
        familyId: subject.familyId ?? claims.jti,
        expiresAt: claims.exp * 1000,
        payload: {
          ...claims,
          ...(subject.username !== undefined ? { username: subject.username } : {}),
        },
      });
      return { token, expiresIn: ttl, claims };
    }
    const alg =
      client.metadata.access_token_signed_response_alg ?? this.tokens.accessTokenSigningAlg;
    const key = this.keys.signingKey(alg);
    const token = await signCompactJws(
      { alg, kid: key.kid, typ: 'at+jwt' },
      { ...claims },
      alg,
      key.privateKey,
    );
    return { token, expiresIn: ttl, claims };
  }

  /**
   * The claims of an unexpired, unrevoked access token of this service, or
   * undefined. Whether its client still exists is the caller's check.
   */
  async verify(token: string): Promise<VerifiedAccessToken | undefined> {
    if (looksLikeJwt(token)) return this.verifyJwt(token);
    const row = await this.store.findByHandle(token, 'access_token');
    if (row === null || row.expiresAt <= Date.now()) return undefined;
    return {
      format: 'reference',
      claims: row.payload as unknown as AccessTokenClaims,
      grantId: row.id,
    };
  }

  /** Records a JWT's id as revoked until the JWT expires anyway. */
  async revokeJwt(
    claims: Pick<AccessTokenClaims, 'jti' | 'client_id' | 'sub' | 'exp'>,
  ): Promise<void> {
    if (await this.store.findByHandle(claims.jti, 'revoked_jwt')) return;
    try {
      await this.store.add({
        type: 'revoked_jwt',
        handle: claims.jti,
        clientId: claims.client_id,
        subject: claims.sub,
        familyId: claims.jti,
        expiresAt: claims.exp * 1000,
        payload: {},
      });
    } catch (error) {
      // A concurrent request (another replay of the same code, say) revoked it first: done.
      if (!isUniqueViolation(error)) throw error;
    }
  }

  private async verifyJwt(token: string): Promise<VerifiedAccessToken | undefined> {
    const verified = await verifyCompactJws(token, ({ kid }) =>
      typeof kid === 'string' ? this.keys.verificationKey(kid) : undefined,
    );
    if (verified === undefined || !isAccessTokenType(verified.header.typ)) return undefined;
    const claims = accessTokenClaimsOf(verified.payload, this.server.issuer, epochSeconds());
    if (claims === undefined) return undefined;
    if (await this.store.findByHandle(claims.jti, 'revoked_jwt')) return undefined;
    return { format: 'jwt', claims };
  }
}

/** RFC 9068 §2.2 / RFC 7519 §4.1.3: a single audience as a string, several as an array. */
function audienceClaim(
  audience: string | readonly string[] | undefined,
): string | string[] | undefined {
  if (audience === undefined || typeof audience === 'string') return audience;
  if (audience.length === 0) return undefined;
  return audience.length === 1 ? audience[0] : [...audience];
}

function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}
