import { decoySecretCheck } from '../../common/crypto/secrets.js';
import type { InvalidClientError } from '../../common/oauth/oauth-error.js';
import type { Client } from '../client.js';
import type { ClientsService } from '../clients.service.js';

/**
 * The check shared by client_secret_basic and client_secret_post, written so
 * that every refusal takes the same path and time: an unknown client, one
 * registered for another method and a wrong secret each cost one SHA-256
 * with a constant-time compare (a decoy hash when there is nothing to
 * compare with) and one database read (a failure against a cached client
 * reads it again, which also accepts a secret just rotated on another
 * instance).
 */
export async function authenticateWithSecret(
  clients: ClientsService,
  method: string,
  clientId: string,
  secret: string,
  fail: (detail: string) => InvalidClientError,
): Promise<Client> {
  const { client, cached } = await clients.lookup(clientId);
  const usable = (candidate: Client | undefined): candidate is Client =>
    candidate !== undefined && candidate.authMethod === method;
  if (usable(client) && clients.secretMatches(client, secret)) return client;
  if (!usable(client)) decoySecretCheck(secret);
  const fresh = cached ? await clients.reload(clientId) : client;
  if (cached && usable(fresh) && clients.secretMatches(fresh, secret)) return fresh;
  if (fresh === undefined) throw fail(`unknown client ${clientId}`);
  if (fresh.authMethod !== method) {
    throw fail(`client ${clientId} is registered for ${fresh.authMethod}`);
  }
  throw fail(`wrong secret for client ${clientId}`);
}
