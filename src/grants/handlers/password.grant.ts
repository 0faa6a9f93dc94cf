import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Client } from '../../clients/client.js';
import {
  InvalidGrantError,
  TOO_MANY_FAILURES,
  TooManyRequestsError,
} from '../../common/oauth/oauth-error.js';
import { timeOrderedId } from '../../common/crypto/time-ordered-id.js';
import { epochSeconds } from '../../common/time.js';
import { limitsConfig } from '../../config/limits.config.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import { RefreshTokenService } from '../../tokens/refresh-token.service.js';
import { grantedScopes } from '../../tokens/scopes.js';
import { bearerTokenResponse, type TokenResponse } from '../../tokens/token-response.js';
import { LoginThrottle } from '../../users/login-throttle.js';
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
    private readonly throttle: LoginThrottle,
    @Inject(limitsConfig.KEY) private readonly limits: ConfigType<typeof limitsConfig>,
  ) {}

  /** Should the shared store fail just now, the answer stands; the next attempt fails closed. */
  private readonly unrecorded = (error: unknown): void => {
    this.logger.warn(
      `password attempt not counted: ${error instanceof Error ? error.message : String(error)}`,
    );
  };
  private readonly logger = new Logger('PasswordGrant');

  async handle(request: TokenRequest, client: Client): Promise<TokenResponse> {
    const { username, password, scope } = grantParams(PasswordParams, request.params);
    const scopes = grantedScopes(scope, client.scopes);
    // RFC 6749 §4.3.2: guard against brute force, with the login page's counters (fail closed).
    const address = request.clientAddress ?? 'unknown';
    const limited = this.limits.failureLimits;
    if (limited) {
      const wait = await this.throttle.blockedForMs(username, address);
      if (wait > 0) {
        throw new TooManyRequestsError(
          TOO_MANY_FAILURES,
          wait,
          `password grant locked out (client ${client.clientId})`,
        );
      }
    }
    const owner = await this.validator.validate(username, password, client);
    if (owner === undefined) {
      this.metrics.passwordCheckFailed('password_grant');
      if (limited) await this.throttle.recordFailure(username, address).catch(this.unrecorded);
      throw new InvalidGrantError(
        'the username or password is wrong',
        `password grant failed for client ${client.clientId}`,
      );
    }
    if (limited) await this.throttle.recordSuccess(owner.username).catch(this.unrecorded);
    const authTime = epochSeconds();
    const grant = {
      subject: owner.subject,
      username: owner.username,
      scope: scopes.join(' '),
      authTime,
    };
    // Fixed first, so that the refresh token's row records the access token.
    const accessToken = { jti: timeOrderedId(), issuedAt: authTime };
    const refresh = client.grantTypes.has('refresh_token')
      ? await this.refreshTokens.issue(client, grant, undefined, accessToken)
      : undefined;
    const access = await this.accessTokens.issue(client, {
      subject: owner.subject,
      username: owner.username,
      scopes,
      authTime,
      familyId: refresh?.familyId,
      jti: accessToken.jti,
      issuedAt: accessToken.issuedAt,
    });
    return bearerTokenResponse(access, refresh?.token);
  }
}
