import type { Client } from '../clients/client.js';
import type { TokenResponse } from '../tokens/token-response.js';

/** A token request after the shared pipeline: form checked, client authenticated, grant allowed. */
export interface TokenRequest {
  /** Single-valued form parameters; empty ones already dropped (RFC 6749 §3.1). */
  readonly params: Readonly<Record<string, string>>;
  /** The address the request came from (for limits on failures); absent outside HTTP. */
  readonly clientAddress?: string;
}

/**
 * One grant type of the token endpoint. A provider implementing this and
 * carrying @GrantType() is all it takes to add a grant: the token endpoint
 * and discovery find it at start-up.
 */
export interface GrantHandler {
  /** The grant_type value this handler answers, e.g. 'client_credentials'. */
  readonly grantType: string;
  handle(request: TokenRequest, client: Client): Promise<TokenResponse>;
}
