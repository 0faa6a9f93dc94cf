import type { SigningAlgorithm } from '../keys/signing-algorithm.js';

/**
 * A client's registered metadata as stored and returned by the admin API:
 * RFC 7591 / OpenID Connect Dynamic Client Registration 1.0 §2 names, plus
 * this service's own fields (CONTRACT.md), with every default filled in.
 */
export interface ClientMetadata {
  client_name?: string;
  application_type: 'web' | 'native';
  grant_types: string[];
  response_types: string[];
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  /** Space-separated scopes this client may request. */
  scope: string;
  token_endpoint_auth_method: string;
  token_endpoint_auth_signing_alg?: string;
  jwks?: { keys: Record<string, unknown>[] };
  jwks_uri?: string;
  id_token_signed_response_alg: SigningAlgorithm;
  default_max_age?: number;
  require_auth_time: boolean;
  client_uri?: string;
  logo_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
  contacts?: string[];
  access_token_format: 'jwt' | 'reference';
  access_token_signed_response_alg?: SigningAlgorithm;
  /** Seconds. */
  access_token_ttl: number;
  /** Seconds. */
  refresh_token_ttl: number;
  refresh_token_expiration: 'absolute' | 'sliding';
  refresh_token_usage: 'one_time' | 'reuse';
  require_pkce: boolean;
  require_consent: boolean;
  allowed_cors_origins: string[];
  /** Requests per second this client may make to the token, introspection and revocation endpoints; absent = no quota. */
  rate_limit_per_second?: number;
  /** What this client may exchange for what (RFC 8693 token exchange); absent = nothing. */
  token_exchange?: TokenExchangePolicy;
}

/** RFC 8693 grant type, which a client's token_exchange policy goes with. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 §3 token type identifiers a token exchange policy may allow as subject or actor token. */
export const EXCHANGEABLE_TOKEN_TYPES = [
  'urn:ietf:params:oauth:token-type:access_token',
  'urn:ietf:params:oauth:token-type:jwt',
] as const;

/** A client's token exchange policy: this service's own client field. */
export interface TokenExchangePolicy {
  /** Token types accepted as subject_token (and actor_token). */
  allowed_subject_token_types: string[];
  /** Values the client may ask for as audience or resource; the issuer itself needs no entry. */
  allowed_audiences: string[];
  /** Exchange without an actor_token: the new token is the subject's. */
  allow_impersonation: boolean;
  /** Exchange with an actor_token: the new token names the actor in its act claim. */
  allow_delegation: boolean;
}

export const CLIENT_DEFAULTS = {
  application_type: 'web',
  grant_types: ['authorization_code'],
  redirect_uris: [],
  post_logout_redirect_uris: [],
  scope: '',
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: 'RS256',
  require_auth_time: false,
  access_token_format: 'jwt',
  access_token_ttl: 3600,
  refresh_token_ttl: 30 * 24 * 3600,
  refresh_token_expiration: 'absolute',
  refresh_token_usage: 'one_time',
  require_pkce: true,
  require_consent: true,
  allowed_cors_origins: [],
} as const satisfies Partial<ClientMetadata>;

/** Authentication methods for which the service generates and checks a client secret. */
export const SECRET_AUTH_METHODS: ReadonlySet<string> = new Set([
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
]);

/** Secret methods that need the secret itself, not only its hash: it keys an HMAC (kept encrypted). */
export const RECOVERABLE_SECRET_AUTH_METHODS: ReadonlySet<string> = new Set(['client_secret_jwt']);

/** Grants of the authorization endpoint, which clients may register for beside token-endpoint grants. */
export const FRONT_CHANNEL_GRANT_TYPES = ['authorization_code', 'implicit'] as const;
