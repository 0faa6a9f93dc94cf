import { Injectable } from '@nestjs/common';
import { FRONT_CHANNEL_GRANT_TYPES } from '../../clients/client-metadata.js';
import { ClientsService, type ClientWriteResult } from '../../clients/clients.service.js';
import { GrantRegistry } from '../../grants/grant-registry.js';
import { PersistedGrantStore } from '../../tokens/persisted-grant.store.js';

/**
 * Client administration across modules: registration checks grant types
 * against what the token endpoint serves; deletion also removes the client's
 * stored tokens (its JWTs turn inactive because the client is gone).
 */
@Injectable()
export class ClientAdministrationService {
  constructor(
    private readonly clients: ClientsService,
    private readonly grants: GrantRegistry,
    private readonly store: PersistedGrantStore,
  ) {}

  register(body: unknown): Promise<ClientWriteResult> {
    return this.clients.register(body, this.supportedGrantTypes());
  }

  replace(clientId: string, body: unknown): Promise<ClientWriteResult> {
    return this.clients.replace(clientId, body, this.supportedGrantTypes());
  }

  update(clientId: string, patch: unknown): Promise<ClientWriteResult> {
    return this.clients.update(clientId, patch, this.supportedGrantTypes());
  }

  async delete(clientId: string): Promise<void> {
    await this.clients.delete(clientId);
    await this.store.revokeClient(clientId);
  }

  /** Token-endpoint grants, plus the front-channel ones a client may register for. */
  supportedGrantTypes(): ReadonlySet<string> {
    return new Set([...this.grants.grantTypes(), ...FRONT_CHANNEL_GRANT_TYPES]);
  }
}
