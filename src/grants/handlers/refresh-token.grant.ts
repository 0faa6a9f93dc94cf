import { Injectable } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Client } from '../../clients/client.js';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import { RefreshTokenService } from '../../tokens/refresh-token.service.js';
import { bearerTokenResponse, type TokenResponse } from '../../tokens/token-response.js';
import type { GrantHandler, TokenRequest } from '../grant-handler.interface.js';
import { grantParams } from '../grant-params.js';
import { GrantType } from '../grant-type.decorator.js';

class RefreshTokenParams {
  @IsString() @MaxLength(512) refresh_token: string;
  @IsOptional() @IsString() @MaxLength(2000) scope?: string;
}

/**
 * RFC 6749 §6: a new access token for the same authorization, its scope at
 * most the original one. Rotation, reuse detection and scope narrowing live
 * in RefreshTokenService.
 */
@GrantType()
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = 'refresh_token';

  constructor(
    private readonly refreshTokens: RefreshTokenService,
    private readonly accessTokens: AccessTokenService,
  ) {}

  async handle(request: TokenRequest, client: Client): Promise<TokenResponse> {
    const { refresh_token: handle, scope } = grantParams(RefreshTokenParams, request.params);
    const { issued: access, refreshToken } = await this.refreshTokens.redeem(
      handle,
      client,
      scope,
      (redeemed) =>
        this.accessTokens.issue(client, {
          subject: redeemed.grant.subject,
          username: redeemed.grant.username,
          scopes: redeemed.scopes,
          authTime: redeemed.grant.authTime,
          familyId: redeemed.familyId,
          jti: redeemed.accessTokenJti,
          issuedAt: redeemed.accessTokenIssuedAt,
        }),
    );
    return bearerTokenResponse(access, refreshToken);
  }
}
