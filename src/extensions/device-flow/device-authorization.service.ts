import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { timeOrderedId } from '../../common/crypto/time-ordered-id.js';
import type { Client } from '../../clients/client.js';
import { newGrantHandle } from '../../tokens/grant-handle.js';
import { UnauthorizedClientError } from '../../common/oauth/oauth-error.js';
import { serverConfig } from '../../config/server.config.js';
import { isUniqueViolation } from '../../database/unique-violation.js';
import { PersistedGrantStore } from '../../tokens/persisted-grant.store.js';
import { grantedScopes, parseScope } from '../../tokens/scopes.js';
import { formatUserCode, generateUserCode, userCodeHandle } from './user-code.js';

export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
export const DEVICE_AUTHORIZATION_PATH = 'device_authorization';
export const VERIFICATION_PATH = 'device';
/** RFC 8628 §3.2: how long the device code and user code live, in seconds. */
export const DEVICE_CODE_TTL_SECONDS = 600;
/** RFC 8628 §3.2: the least time between polls, in seconds (5 is the RFC's default). */
export const POLLING_INTERVAL_SECONDS = 5;

/** RFC 8628 §3.2 device authorization response. */
export interface DeviceAuthorizationResponse {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete: string;
  readonly expires_in: number;
  readonly interval: number;
}

/** The device-code row's payload: what was asked, and what the user decided. */
export type DeviceAuthorization =
  | { readonly status: 'pending'; readonly scope: string }
  | { readonly status: 'denied'; readonly scope: string }
  | {
      readonly status: 'approved';
      readonly scope: string;
      readonly subject: string;
      readonly username: string;
      readonly authTime: number;
      readonly sid: string;
    };

/** A user code the user entered that is waiting for a decision. */
export interface PendingDeviceAuthorization {
  /** The user code, as stored (no dash). */
  readonly userCode: string;
  readonly userCodeRowId: string;
  readonly deviceCodeRowId: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/** Who approved, from the session they approved in. */
export interface DeviceApprover {
  readonly subject: string;
  readonly username: string;
  readonly authTime: number;
  readonly sid: string;
}

/** Regenerating a user code that is already taken; eight tries make a clash vanishingly unlikely. */
const USER_CODE_ATTEMPTS = 8;

/**
 * Device authorizations (RFC 8628) in the persisted-grant store, two rows
 * in one family: the device code (its SHA-256), whose payload carries the
 * scope and the user's decision, and the user code (the SHA-256 of its
 * handle), consumed once by that decision.
 */
@Injectable()
export class DeviceAuthorizationService {
  constructor(
    private readonly store: PersistedGrantStore,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
  ) {}

  /** RFC 8628 §3.1–3.2: a new device code and user code for the client. */
  async start(client: Client, scope: string | undefined): Promise<DeviceAuthorizationResponse> {
    if (!client.grantTypes.has(DEVICE_CODE_GRANT_TYPE)) {
      throw new UnauthorizedClientError(
        `the client is not allowed to use grant_type '${DEVICE_CODE_GRANT_TYPE}'`,
      );
    }
    const scopes = grantedScopes(scope, client.scopes);
    const now = Date.now();
    const expiresAt = now + DEVICE_CODE_TTL_SECONDS * 1000;
    const familyId = timeOrderedId();
    const deviceCode = newGrantHandle();
    const authorization: DeviceAuthorization = { status: 'pending', scope: scopes.join(' ') };
    const deviceRow = await this.store.add(
      {
        type: 'device_code',
        handle: deviceCode,
        clientId: client.clientId,
        subject: null,
        familyId,
        expiresAt,
        payload: { ...authorization },
      },
      now,
    );
    const userCode = await this.addUserCode(client, familyId, expiresAt, now, {
      deviceCodeId: deviceRow.id,
      scope: authorization.scope,
    });
    const verificationUri = `${this.server.issuer}/${VERIFICATION_PATH}`;
    const shown = formatUserCode(userCode);
    return {
      device_code: deviceCode,
      user_code: shown,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${shown}`,
      expires_in: DEVICE_CODE_TTL_SECONDS,
      interval: POLLING_INTERVAL_SECONDS,
    };
  }

  private async addUserCode(
    client: Client,
    familyId: string,
    expiresAt: number,
    now: number,
    payload: { deviceCodeId: string; scope: string },
  ): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      const userCode = generateUserCode();
      try {
        await this.store.add(
          {
            type: 'device_user_code',
            handle: userCodeHandle(userCode),
            clientId: client.clientId,
            subject: null,
            familyId,
            expiresAt,
            payload: { ...payload },
          },
          now,
        );
        return userCode;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= USER_CODE_ATTEMPTS) {
          await this.store.revokeFamily(familyId);
          throw error;
        }
      }
    }
  }

  /** The authorization waiting on a user code, or undefined (unknown, expired or decided). */
  async findPending(userCode: string): Promise<PendingDeviceAuthorization | undefined> {
    const row = await this.store.findByHandle(userCodeHandle(userCode), 'device_user_code');
    if (row === null || row.consumedAt !== null || row.expiresAt <= Date.now()) return undefined;
    return {
      userCode,
      userCodeRowId: row.id,
      deviceCodeRowId: row.payload.deviceCodeId as string,
      clientId: row.clientId,
      scopes: parseScope(row.payload.scope as string | undefined),
    };
  }

  /** Deletes an approved device code whose approver is gone; the device's next poll gets invalid_grant. */
  async withdraw(pending: PendingDeviceAuthorization): Promise<void> {
    await this.store.delete(pending.deviceCodeRowId);
  }

  /**
   * Records the user's decision: the user code is consumed by one
   * conditional UPDATE (so of two racing decisions one wins), then the
   * device code's row says what the client's next poll gets. False when the
   * code was decided or expired meanwhile.
   */
  async decide(
    pending: PendingDeviceAuthorization,
    decision: { allow: true; approver: DeviceApprover } | { allow: false },
  ): Promise<boolean> {
    const now = Date.now();
    const scope = pending.scopes.join(' ');
    const authorization: DeviceAuthorization = decision.allow
      ? { status: 'approved', scope, ...decision.approver }
      : { status: 'denied', scope };
    const consumed = await this.store.consume(pending.userCodeRowId, now, {
      payload: { deviceCodeId: pending.deviceCodeRowId, scope, decision: authorization.status },
    });
    if (!consumed) return false;
    // An approved code is the user's: deleting the user (revokeSubject) revokes it.
    await this.store.update(pending.deviceCodeRowId, {
      payload: { ...authorization },
      ...(decision.allow ? { subject: decision.approver.subject } : {}),
    });
    return true;
  }
}
