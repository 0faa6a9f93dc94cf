import { Injectable } from '@nestjs/common';
import { InvalidClientError } from '../../common/oauth/oauth-error.js';
import type { Client } from '../client.js';
import { ClientsService } from '../clients.service.js';
import { ClientAuthenticationMethod } from './client-authentication-method.decorator.js';
import type { ClientAuthenticator } from './client-authenticator.js';
import type { ClientAuthenticationInput } from './client-credentials.js';
import { authenticateWithSecret } from './secret-authentication.js';

/** RFC 6749 §2.3.1: HTTP Basic with the form-urlencoded client_id and secret. */
@ClientAuthenticationMethod()
@Injectable()
export class ClientSecretBasicAuthenticator implements ClientAuthenticator {
  readonly method = 'client_secret_basic';

  constructor(private readonly clients: ClientsService) {}

  presents(input: ClientAuthenticationInput): boolean {
    return input.authorization !== undefined && /^basic /i.test(input.authorization);
  }

  async authenticate(input: ClientAuthenticationInput): Promise<Client> {
    // The registry turns these into 401 with a Basic challenge.
    const fail = (detail: string) =>
      new InvalidClientError('client authentication failed', { detail });
    const credentials = decodeBasicCredentials(input.authorization!.slice(6).trim());
    if (credentials === undefined) throw fail('malformed Basic credentials');
    return authenticateWithSecret(
      this.clients,
      this.method,
      credentials.clientId,
      credentials.clientSecret,
      fail,
    );
  }
}

/** Basic credentials are base64("urlencoded(id):urlencoded(secret)"), RFC 6749 §2.3.1. */
export function decodeBasicCredentials(
  encoded: string,
): { clientId: string; clientSecret: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    const clientId = formDecode(decoded.slice(0, colon));
    const clientSecret = formDecode(decoded.slice(colon + 1));
    return clientSecret === '' ? undefined : { clientId, clientSecret };
  } catch {
    return undefined;
  }
}

function formDecode(value: string): string {
  // Service-generated ids and secrets (base64url) have nothing to decode.
  if (!value.includes('%') && !value.includes('+')) return value;
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
