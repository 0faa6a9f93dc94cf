import { Injectable } from '@nestjs/common';
import { ProblemError } from '../../common/problem/problem.error.js';
import { epochSeconds } from '../../common/time.js';
import type { PersistedGrantEntity } from '../../tokens/persisted-grant.entity.js';
import {
  type PersistedGrantType,
  PersistedGrantStore,
} from '../../tokens/persisted-grant.store.js';
import { UsersService } from '../../users/users.service.js';

/** A consent as the admin API shows it. */
export interface ConsentBody {
  readonly client_id: string;
  readonly scopes: string[];
  /** Epoch seconds. */
  readonly granted_at: number;
}

/**
 * What goes when a consent is withdrawn: the consent and what the client
 * holds for the user because of it. JWT access tokens are not stored and
 * stay valid until they expire, as after a revoked refresh token.
 */
const REVOKED_WITH_CONSENT: readonly PersistedGrantType[] = [
  'consent',
  'refresh_token',
  'access_token',
  'authorization_code',
  // An approved device code not yet redeemed (its row's subject is the approver).
  'device_code',
];

/**
 * Users' remembered consents (rows of type `consent` in the persisted-grant
 * store, one per user and client): listing and withdrawal.
 */
@Injectable()
export class ConsentAdministrationService {
  constructor(
    private readonly users: UsersService,
    private readonly store: PersistedGrantStore,
  ) {}

  /** The user's unexpired consents, oldest first; 404 for an unknown user. */
  async list(userId: string): Promise<ConsentBody[]> {
    await this.users.get(userId);
    const rows = await this.store.findBySubject('consent', userId);
    return rows.map(presentConsent);
  }

  /**
   * Withdraws the user's consent to a client and revokes the client's refresh
   * tokens, reference access tokens and pending codes for the user, in one
   * statement; 404 when there is no such consent.
   */
  async revoke(userId: string, clientId: string): Promise<void> {
    await this.users.get(userId);
    const rows = await this.store.findBySubject('consent', userId);
    if (!rows.some((row) => row.clientId === clientId)) {
      throw ProblemError.notFound(`user "${userId}" has no consent for client "${clientId}"`);
    }
    await this.store.revokeSubjectClient(userId, clientId, REVOKED_WITH_CONSENT);
  }
}

function presentConsent(row: PersistedGrantEntity): ConsentBody {
  const scopes = row.payload.scopes;
  return {
    client_id: row.clientId,
    scopes: Array.isArray(scopes)
      ? scopes.filter((scope): scope is string => typeof scope === 'string')
      : [],
    granted_at: epochSeconds(row.createdAt),
  };
}
