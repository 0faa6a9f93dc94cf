import { Injectable } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Client } from '../../clients/client.js';
import { InvalidGrantError } from '../../common/oauth/oauth-error.js';
import { epochSeconds } from '../../common/time.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import { RefreshTokenService } from '../../tokens/refresh-token.service.js';
import { grantedScopes } from '../../tokens/scopes.js';
import { bearerTokenResponse, type TokenResponse } from '../../tokens/token-response.js';
import { ResourceOwnerPasswordValidator } from '../../users/resource-owner-password.validator.js';
import type { GrantHandler, TokenRequest } from '../grant-handler.interface.js';
import { grantParams } from '../grant-params.js';
import { GrantType } from '../grant-type.decorator.js';

class PasswordParams {
  @IsString() @MaxLength(255) username: string;
  @IsString() @MaxLength(1024) password: string;
  @IsOptional() @IsString() @MaxLength(2000) scope?: string;
}

/**
 * RFC 6749 §4.3: resource owner password credentials, checked by the
 * (replaceable) ResourceOwnerPasswordValidator. A refresh token comes with
 * the access token when the client may use the refresh_token grant.
 */
@GrantType()
@Injectable()
export class PasswordGrant implements GrantHandler {
  readonly grantType = 'password';

  constructor(
    private readonly validator: ResourceOwnerPasswordValidator,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly metrics: MetricsService,
  ) {}

  async handle(request: TokenRequest, client: Client): Promise<TokenResponse> {
    const { username, password, scope } = grantParams(PasswordParams, request.params);
    const scopes = grantedScopes(scope, client.scopes);
    const owner = await this.validator.validate(username, password, client);
    if (owner === undefined) {
      this.metrics.passwordCheckFailed('password_grant');
      throw new InvalidGrantError(
        'the username or password is wrong',
        `password grant failed for client ${client.clientId}`,
      );
    }
    const authTime = epochSeconds();
    const grant = {
      subject: owner.subject,
      username: owner.username,
      scope: scopes.join(' '),
      authTime,
    };
    const refresh = client.grantTypes.has('refresh_token')
      ? await this.refreshTokens.issue(client, grant)
      : undefined;
    const access = await this.accessTokens.issue(client, {
      subject: owner.subject,
      username: owner.username,
      scopes,
      authTime,
      familyId: refresh?.familyId,
    });
    return bearerTokenResponse(access, refresh?.token);
  }
}
