import { Injectable } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Client } from '../../clients/client.js';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import {
  AuthorizationCodeService,
  type RedeemedAuthorizationCode,
} from '../../tokens/authorization-code.service.js';
import { IdTokenService } from '../../tokens/id-token.service.js';
import { RefreshTokenService } from '../../tokens/refresh-token.service.js';
import { parseScope } from '../../tokens/scopes.js';
import { bearerTokenResponse, type TokenResponse } from '../../tokens/token-response.js';
import type { GrantHandler, TokenRequest } from '../grant-handler.interface.js';
import { grantParams } from '../grant-params.js';
import { GrantType } from '../grant-type.decorator.js';

class AuthorizationCodeParams {
  @IsString() @MaxLength(512) code: string;
  @IsOptional() @IsString() @MaxLength(2000) redirect_uri?: string;
  @IsOptional() @IsString() @MaxLength(256) code_verifier?: string;
}

/**
 * RFC 6749 §4.1.3 with PKCE (RFC 7636) and OpenID Connect Core §3.1.3: the
 * code's checks and its single use live in AuthorizationCodeService; this
 * mints the tokens, all in the code's family (the stored ones before the
 * code is consumed, so that a replay's revocation finds them).
 */
@GrantType()
@Injectable()
export class AuthorizationCodeGrant implements GrantHandler {
  readonly grantType = 'authorization_code';

  constructor(
    private readonly codes: AuthorizationCodeService,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly idTokens: IdTokenService,
  ) {}

  async handle(request: TokenRequest, client: Client): Promise<TokenResponse> {
    const params = grantParams(AuthorizationCodeParams, request.params);
    const { grant, access, refreshToken } = await this.codes.redeem(
      params.code,
      client,
      params.redirect_uri,
      params.code_verifier,
      (redeemed) => this.issueStored(client, redeemed),
    );
    const response = bearerTokenResponse(access, refreshToken);
    if (!parseScope(grant.scope).includes('openid')) return response;
    const idToken = await this.idTokens.issue(client, {
      subject: grant.subject,
      nonce: grant.nonce,
      authTime: grant.authTime,
      sid: grant.sid,
      accessToken: access.token,
    });
    return { ...response, id_token: idToken };
  }

  /** The access token and the refresh token, stored (when stored) before the code is consumed. */
  private async issueStored(client: Client, redeemed: RedeemedAuthorizationCode) {
    const { grant, familyId } = redeemed;
    const scopes = parseScope(grant.scope);
    // OpenID Connect Core §11: an OpenID request gets a refresh token only when it asked for offline_access.
    const wantsRefresh = !scopes.includes('openid') || scopes.includes('offline_access');
    const refresh =
      client.grantTypes.has('refresh_token') && wantsRefresh
        ? await this.refreshTokens.issue(
            client,
            {
              subject: grant.subject,
              username: grant.username,
              scope: grant.scope,
              authTime: grant.authTime,
            },
            familyId,
          )
        : undefined;
    const access = await this.accessTokens.issue(client, {
      subject: grant.subject,
      username: grant.username,
      scopes,
      authTime: grant.authTime,
      familyId,
      jti: redeemed.accessTokenJti,
      issuedAt: redeemed.accessTokenIssuedAt,
    });
    return { grant, access, refreshToken: refresh?.token };
  }
}
