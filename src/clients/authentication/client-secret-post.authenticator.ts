import { Injectable } from '@nestjs/common';
import { decoySecretCheck } from '../../common/crypto/secrets.js';
import { InvalidClientError } from '../../common/oauth/oauth-error.js';
import type { Client } from '../client.js';
import { ClientsService } from '../clients.service.js';
import { ClientAuthenticationMethod } from './client-authentication-method.decorator.js';
import type { ClientAuthenticator } from './client-authenticator.js';
import type { ClientAuthenticationInput } from './client-credentials.js';

/** RFC 6749 §2.3.1: client_id and client_secret in the request body. */
@ClientAuthenticationMethod()
@Injectable()
export class ClientSecretPostAuthenticator implements ClientAuthenticator {
  readonly method = 'client_secret_post';

  constructor(private readonly clients: ClientsService) {}

  presents(input: ClientAuthenticationInput): boolean {
    return input.params.client_secret !== undefined;
  }

  async authenticate(input: ClientAuthenticationInput): Promise<Client> {
    const { client_id: clientId, client_secret: secret } = input.params;
    if (clientId === undefined) {
      throw new InvalidClientError('client authentication failed', {
        detail: 'client_secret without client_id',
      });
    }
    const client = await this.clients.find(clientId);
    const fail = (detail: string) =>
      new InvalidClientError('client authentication failed', { detail });
    // An unknown client, or one of another method, costs the same secret check as a wrong secret.
    if (client === undefined) {
      decoySecretCheck(secret!);
      throw fail(`unknown client ${clientId}`);
    }
    if (client.authMethod !== this.method) {
      decoySecretCheck(secret!);
      throw fail(`client ${clientId} is registered for ${client.authMethod}`);
    }
    if (!this.clients.secretMatches(client, secret!))
      throw fail(`wrong secret for client ${clientId}`);
    return client;
  }
}
