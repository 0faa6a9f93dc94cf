import { Injectable } from '@nestjs/common';
import type { Client } from '../clients/client.js';
import { ClientsService } from '../clients/clients.service.js';
import { epochSeconds } from '../common/time.js';
import { AccessTokenService } from './access-token.service.js';
import { PersistedGrantStore } from './persisted-grant.store.js';
import type { RefreshTokenGrant } from './refresh-token.service.js';

/** RFC 7662 §2.2 response; inactive tokens say nothing else. */
export type IntrospectionResponse =
  { active: false } | ({ active: true } & Record<string, unknown>);

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * Introspection (RFC 7662). Access tokens are described to any confidential
 * client (resource servers introspect tokens issued to others); refresh
 * tokens only to the client they were issued to. A token whose client is
 * gone is inactive.
 */
@Injectable()
export class TokenIntrospectionService {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly store: PersistedGrantStore,
    private readonly clients: ClientsService,
  ) {}

  async introspect(
    token: string,
    hint: string | undefined,
    caller: Client,
  ): Promise<IntrospectionResponse> {
    // The hint only decides which kind is looked up first (RFC 7662 §2.1).
    if (hint === 'refresh_token') {
      return (await this.refresh(token, caller)) ?? (await this.access(token)) ?? INACTIVE;
    }
    return (await this.access(token)) ?? (await this.refresh(token, caller)) ?? INACTIVE;
  }

  private async access(token: string): Promise<IntrospectionResponse | undefined> {
    const verified = await this.accessTokens.verify(token);
    if (verified === undefined) return undefined;
    const { claims } = verified;
    if (claims.exp <= epochSeconds() || !(await this.clients.find(claims.client_id)))
      return INACTIVE;
    return { active: true, ...claims, token_type: 'Bearer' };
  }

  private async refresh(token: string, caller: Client): Promise<IntrospectionResponse | undefined> {
    const row = await this.store.findByHandle(token, 'refresh_token');
    if (row === null) return undefined;
    if (
      row.clientId !== caller.clientId ||
      row.consumedAt !== null ||
      row.expiresAt <= Date.now()
    ) {
      return INACTIVE;
    }
    const grant = row.payload as unknown as RefreshTokenGrant;
    return {
      active: true,
      token_type: 'refresh_token',
      client_id: row.clientId,
      sub: grant.subject,
      ...(grant.username !== undefined ? { username: grant.username } : {}),
      ...(grant.scope !== '' ? { scope: grant.scope } : {}),
      iat: Math.floor(row.createdAt / 1000),
      exp: Math.floor(row.expiresAt / 1000),
    };
  }
}
