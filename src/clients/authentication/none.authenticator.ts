import { Injectable } from '@nestjs/common';
import { InvalidClientError } from '../../common/oauth/oauth-error.js';
import type { Client } from '../client.js';
import { ClientsService } from '../clients.service.js';
import { ClientAuthenticationMethod } from './client-authentication-method.decorator.js';
import type { ClientAuthenticator } from './client-authenticator.js';
import type { ClientAuthenticationInput } from './client-credentials.js';

/** A public client (RFC 6749 §2.1) identifies itself with client_id alone. */
@ClientAuthenticationMethod()
@Injectable()
export class NoneAuthenticator implements ClientAuthenticator {
  readonly method = 'none';

  constructor(private readonly clients: ClientsService) {}

  presents(input: ClientAuthenticationInput): boolean {
    const { client_id, client_secret, client_assertion, client_assertion_type } = input.params;
    return (
      client_id !== undefined &&
      client_secret === undefined &&
      client_assertion === undefined &&
      client_assertion_type === undefined &&
      input.authorization === undefined
    );
  }

  async authenticate(input: ClientAuthenticationInput): Promise<Client> {
    const clientId = input.params.client_id!;
    const { client, cached } = await this.clients.lookup(clientId);
    // A refusal costs one database read whether or not the client exists (see ClientsService.reload).
    if (cached && !client?.isPublic) await this.clients.reload(clientId);
    if (client === undefined) {
      throw new InvalidClientError('client authentication failed', {
        detail: `unknown client ${clientId}`,
      });
    }
    if (!client.isPublic) {
      throw new InvalidClientError('client authentication failed', {
        detail: `confidential client ${clientId} presented no credentials`,
      });
    }
    return client;
  }
}
