import { Injectable } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Client } from '../../clients/client.js';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import { grantedScopes } from '../../tokens/scopes.js';
import { bearerTokenResponse, type TokenResponse } from '../../tokens/token-response.js';
import type { GrantHandler, TokenRequest } from '../grant-handler.interface.js';
import { grantParams } from '../grant-params.js';
import { GrantType } from '../grant-type.decorator.js';

class ClientCredentialsParams {
  @IsOptional() @IsString() @MaxLength(2000) scope?: string;
}

/** RFC 6749 §4.4: the client acts for itself; no refresh token (§4.4.3). */
@GrantType()
@Injectable()
export class ClientCredentialsGrant implements GrantHandler {
  readonly grantType = 'client_credentials';

  constructor(private readonly accessTokens: AccessTokenService) {}

  async handle(request: TokenRequest, client: Client): Promise<TokenResponse> {
    const { scope } = grantParams(ClientCredentialsParams, request.params);
    const scopes = grantedScopes(scope, client.scopes);
    const access = await this.accessTokens.issue(client, { subject: undefined, scopes });
    return bearerTokenResponse(access);
  }
}
