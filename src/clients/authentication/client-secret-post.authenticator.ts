import { Injectable } from '@nestjs/common';
import { InvalidClientError } from '../../common/oauth/oauth-error.js';
import type { Client } from '../client.js';
import { ClientsService } from '../clients.service.js';
import { ClientAuthenticationMethod } from './client-authentication-method.decorator.js';
import type { ClientAuthenticator } from './client-authenticator.js';
import type { ClientAuthenticationInput } from './client-credentials.js';
import { authenticateWithSecret } from './secret-authentication.js';

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
    const fail = (detail: string) =>
      new InvalidClientError('client authentication failed', { detail });
    return authenticateWithSecret(this.clients, this.method, clientId, secret!, fail);
  }
}
