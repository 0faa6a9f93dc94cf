import * as oidc from 'openid-client';
import type { RegisteredClient } from './test-app.js';

/**
 * openid-client configured from the service's discovery document for `client`,
 * authenticating with client_secret_basic unless `auth` says otherwise; plain
 * HTTP is allowed, as the test service listens on a loopback http:// issuer.
 */
export function discoverAs(
  service: { readonly issuer: string },
  client: RegisteredClient,
  auth?: oidc.ClientAuth,
): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(service.issuer),
    client.client_id,
    undefined,
    auth ?? oidc.ClientSecretBasic(client.client_secret!),
    { execute: [oidc.allowInsecureRequests] },
  );
}
