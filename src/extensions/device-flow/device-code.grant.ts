import { Injectable } from '@nestjs/common';
import { IsString, MaxLength } from 'class-validator';
import type { Client } from '../../clients/client.js';
import { timeOrderedId } from '../../common/crypto/time-ordered-id.js';
import { AccessDeniedError, InvalidGrantError } from '../../common/oauth/oauth-error.js';
import { epochSeconds } from '../../common/time.js';
import type { GrantHandler, TokenRequest } from '../../grants/grant-handler.interface.js';
import { grantParams } from '../../grants/grant-params.js';
import { GrantType } from '../../grants/grant-type.decorator.js';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import { IdTokenService } from '../../tokens/id-token.service.js';
import { PersistedGrantStore } from '../../tokens/persisted-grant.store.js';
import { RefreshTokenService } from '../../tokens/refresh-token.service.js';
import { parseScope } from '../../tokens/scopes.js';
import { bearerTokenResponse, type TokenResponse } from '../../tokens/token-response.js';
import {
  DEVICE_CODE_GRANT_TYPE,
  type DeviceAuthorization,
  POLLING_INTERVAL_SECONDS,
} from './device-authorization.service.js';
import {
  AuthorizationPendingError,
  ExpiredTokenError,
  SlowDownError,
} from './device-flow.errors.js';
import { DevicePollingTracker } from './device-polling.tracker.js';

class DeviceCodeParams {
  @IsString() @MaxLength(512) device_code: string;
}

const INVALID = 'the device code is invalid or already used';

/**
 * RFC 8628 §3.4–3.5: the device polls with its device code until the user
 * decides. The code is bound to its client and redeemed once (one
 * conditional UPDATE); the tokens join the device code's family.
 */
@GrantType()
@Injectable()
export class DeviceCodeGrant implements GrantHandler {
  readonly grantType = DEVICE_CODE_GRANT_TYPE;

  constructor(
    private readonly store: PersistedGrantStore,
    private readonly polling: DevicePollingTracker,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly idTokens: IdTokenService,
  ) {}

  async handle(request: TokenRequest, client: Client): Promise<TokenResponse> {
    const params = grantParams(DeviceCodeParams, request.params);
    const now = Date.now();
    const row = await this.store.findByHandle(params.device_code, 'device_code');
    if (row === null) throw new InvalidGrantError(INVALID, 'unknown device code');
    if (row.clientId !== client.clientId) {
      throw new InvalidGrantError(
        INVALID,
        `device code of client ${row.clientId} presented by ${client.clientId}`,
      );
    }
    if (row.consumedAt !== null) throw new InvalidGrantError(INVALID, 'device code redeemed twice');
    if (row.expiresAt <= now) throw new ExpiredTokenError('the device code has expired');
    const authorization = row.payload as unknown as DeviceAuthorization;
    if (authorization.status === 'denied') {
      await this.polling.forget(row.id);
      throw new AccessDeniedError('the user denied the request');
    }
    if (authorization.status === 'pending') {
      const poll = await this.polling.poll(row.id, POLLING_INTERVAL_SECONDS, row.expiresAt, now);
      if (poll.tooSoon) {
        throw new SlowDownError(`polled too often: wait ${poll.interval} seconds between requests`);
      }
      throw new AuthorizationPendingError('the user has not yet approved the request');
    }

    // The approval put the user in the row's subject: deleting the user deleted the row, and this fails.
    if (!(await this.store.consume(row.id, now))) {
      throw new InvalidGrantError(INVALID, 'device code redeemed concurrently, or revoked');
    }
    await this.polling.forget(row.id);
    const scopes = parseScope(authorization.scope);
    const grant = {
      subject: authorization.subject,
      username: authorization.username,
      authTime: authorization.authTime,
    };
    // Fixed first, so that the refresh token's row records the access token.
    const accessToken = { jti: timeOrderedId(), issuedAt: epochSeconds() };
    const refresh = client.grantTypes.has('refresh_token')
      ? await this.refreshTokens.issue(
          client,
          { ...grant, scope: authorization.scope },
          row.familyId,
          accessToken,
        )
      : undefined;
    const access = await this.accessTokens.issue(client, {
      ...grant,
      scopes,
      familyId: row.familyId,
      jti: accessToken.jti,
      issuedAt: accessToken.issuedAt,
    });
    const response = bearerTokenResponse(access, refresh?.token);
    if (!scopes.includes('openid')) return response;
    const idToken = await this.idTokens.issue(client, {
      subject: authorization.subject,
      authTime: authorization.authTime,
      sid: authorization.sid,
      accessToken: access.token,
    });
    return { ...response, id_token: idToken };
  }
}
