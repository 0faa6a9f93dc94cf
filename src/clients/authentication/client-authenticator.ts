import type { Client } from '../client.js';
import type { ClientAuthenticationInput } from './client-credentials.js';

/**
 * One client authentication method (RFC 6749 §2.3, OpenID Connect Core §9).
 * Implementations carry the @ClientAuthenticationMethod() decorator; the
 * registry finds them and discovery lists their `method`.
 */
export interface ClientAuthenticator {
  /** The token_endpoint_auth_method value, e.g. 'client_secret_basic'. */
  readonly method: string;
  /** The JWS algorithms its assertions may be signed with, for methods that sign (discovery, registration). */
  readonly signingAlgorithms?: readonly string[];
  /** Whether the request presents credentials of this method (used to refuse two at once). */
  presents(input: ClientAuthenticationInput): boolean;
  /** The authenticated client, or an InvalidClientError. */
  authenticate(input: ClientAuthenticationInput): Promise<Client>;
}
