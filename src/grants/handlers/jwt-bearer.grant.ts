import { Injectable } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Client } from '../../clients/client.js';
import { InvalidGrantError } from '../../common/oauth/oauth-error.js';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import { grantedScopes } from '../../tokens/scopes.js';
import { bearerTokenResponse, type TokenResponse } from '../../tokens/token-response.js';
import { InvalidAssertionError } from '../../trust/invalid-assertion.error.js';
import { JwtAssertionVerifier } from '../../trust/jwt-assertion.verifier.js';
import type { TrustedIssuerEntity } from '../../trust/trusted-issuer.entity.js';
import type { GrantHandler, TokenRequest } from '../grant-handler.interface.js';
import { grantParams } from '../grant-params.js';
import { GrantType } from '../grant-type.decorator.js';

export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

class JwtBearerParams {
  @IsString() @MaxLength(16_000) assertion: string;
  @IsOptional() @IsString() @MaxLength(2000) scope?: string;
}

/**
 * RFC 7523 §2.1: a JWT of a trusted issuer is exchanged for an access token
 * for its `sub`. The scopes are those requested (all allowed when none are)
 * within both the client's and the issuer's; no refresh token.
 */
@GrantType()
@Injectable()
export class JwtBearerGrant implements GrantHandler {
  readonly grantType = JWT_BEARER_GRANT_TYPE;

  constructor(
    private readonly verifier: JwtAssertionVerifier,
    private readonly accessTokens: AccessTokenService,
  ) {}

  async handle(request: TokenRequest, client: Client): Promise<TokenResponse> {
    const { assertion, scope } = grantParams(JwtBearerParams, request.params);
    let scopes: string[] = [];
    let subject: string;
    try {
      ({ subject } = await this.verifier.verifyTrustedIssuerJwt(
        assertion,
        this.verifier.audiences(),
        // Scopes are checked before the assertion's jti is used up.
        {
          beforeUse: ({ trustedIssuer }) => void (scopes = scopesFor(scope, client, trustedIssuer)),
        },
      ));
    } catch (error) {
      if (!(error instanceof InvalidAssertionError)) throw error;
      throw new InvalidGrantError(
        error.describe('assertion'),
        `client ${client.clientId}: ${error.detail ?? error.reason}`,
      );
    }
    const access = await this.accessTokens.issue(client, { subject, scopes });
    return bearerTokenResponse(access);
  }
}

function scopesFor(
  requested: string | undefined,
  client: Client,
  issuer: TrustedIssuerEntity,
): string[] {
  const byIssuer = issuer.allowedScopes === null ? undefined : new Set(issuer.allowedScopes);
  const allowed = new Set(
    [...client.scopes].filter((s) => byIssuer === undefined || byIssuer.has(s)),
  );
  return grantedScopes(requested, allowed);
}
