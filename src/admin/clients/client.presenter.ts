import type { Client } from '../../clients/client.js';
import type { ClientWriteResult } from '../../clients/clients.service.js';

/** A client as the admin API shows it (RFC 7591 §3.2.1 response names); a secret only right after it was made. */
export function presentClient(client: Client, clientSecret?: string): Record<string, unknown> {
  return {
    client_id: client.clientId,
    client_id_issued_at: Math.floor(client.createdAt / 1000),
    ...(clientSecret !== undefined
      ? { client_secret: clientSecret, client_secret_expires_at: 0 }
      : {}),
    ...client.metadata,
  };
}

export function presentWrite(result: ClientWriteResult): Record<string, unknown> {
  return presentClient(result.client, result.clientSecret);
}
