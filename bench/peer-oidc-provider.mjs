// node-oidc-provider (v9) as the benchmark's peer, configured as close to
// this service as it allows: confidential clients with client_secret_basic,
// RFC 9068 JWT access tokens (ES256 or RS256) or opaque ones per client
// (through resourceIndicators), introspection and revocation enabled,
// refresh tokens rotated on every use, PKCE required, ES256 ID tokens.
//
// Configuration comes from BENCH_PEER_CONFIG (JSON): { port, issuer, clients }
// where each client is { client_id, client_secret, grant_types, scope,
// format: 'jwt' | 'opaque', alg, redirect_uris?, token_endpoint_auth_method?,
// jwks?, userinfo? } (private_key_jwt clients bring their public keys; a
// userinfo client's access tokens are for the peer's own /me, opaque).
//
// Storage: the library's own MemoryAdapter, given an unbounded store. Its
// default store is an LRU of 1,000 entries, which would evict the pool of
// authorization codes the benchmark mints before a timed run (and the
// session and grant that mint them).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

const config = JSON.parse(process.env.BENCH_PEER_CONFIG ?? '{}');
const RESOURCE = 'urn:bench:api';

/** The store interface MemoryAdapter expects (get, set with maxAge, delete), without a size cap. */
class UnboundedStore {
  #entries = new Map();

  get(key) {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key, value, options) {
    const expiresAt = options?.maxAge === undefined ? undefined : Date.now() + options.maxAge;
    this.#entries.set(key, { value, expiresAt });
  }

  delete(key) {
    this.#entries.delete(key);
  }
}

function signingJwk(type, options, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: `${alg}-${randomBytes(4).toString('hex')}`,
    alg,
    use: 'sig',
  };
}

const store = new UnboundedStore();
const clients = new Map(config.clients.map((client) => [client.client_id, client]));

const provider = new Provider(config.issuer, {
  adapter: (model) => new MemoryAdapter(model, store),
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    token_endpoint_auth_method: client.token_endpoint_auth_method ?? 'client_secret_basic',
    ...(client.jwks === undefined ? {} : { jwks: client.jwks }),
    grant_types: client.grant_types,
    response_types: client.grant_types.includes('authorization_code') ? ['code'] : [],
    redirect_uris: client.redirect_uris ?? [],
    scope: client.scope,
    id_token_signed_response_alg: 'ES256',
  })),
  jwks: {
    keys: [
      signingJwk('ec', { namedCurve: 'P-256' }, 'ES256'),
      signingJwk('rsa', { modulusLength: 2048 }, 'RS256'),
    ],
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access', 'api'],
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  pkce: { required: () => true },
  // This service issues a refresh token whenever the client may use the
  // grant (and, for OpenID requests, offline_access was asked), and rotates
  // it on every use.
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  ttl: {
    AccessToken: 3600,
    ClientCredentials: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 30 * 24 * 3600,
    Grant: 30 * 24 * 3600,
    Session: 12 * 3600,
    Interaction: 600,
    DeviceCode: 600,
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // A userinfo client's tokens name no resource: the peer's own userinfo endpoint accepts only those.
      defaultResource: (_ctx, client) =>
        clients.get(client.clientId)?.userinfo === true ? undefined : RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, _indicator, client) => {
        const { format, alg } = clients.get(client.clientId) ?? { format: 'opaque' };
        return {
          scope: 'api',
          audience: config.issuer,
          accessTokenTTL: 3600,
          accessTokenFormat: format,
          ...(format === 'jwt' ? { jwt: { sign: { alg } } } : {}),
        };
      },
    },
  },
});
provider.on('server_error', (_ctx, error) => console.error('server_error', error));

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`oidc-provider peer listening on ${config.issuer}`);
});
