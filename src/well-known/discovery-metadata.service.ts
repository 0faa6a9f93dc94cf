import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ClientAuthenticatorRegistry } from '../clients/authentication/client-authenticator.registry.js';
import { serverConfig } from '../config/server.config.js';
import { GrantRegistry } from '../grants/grant-registry.js';
import { TOKEN_PATH } from '../grants/token.controller.js';
import { JWKS_PATH } from '../keys/jwks.controller.js';
import { INTROSPECTION_PATH } from '../tokens/introspection.controller.js';
import { REVOCATION_PATH } from '../tokens/revocation.controller.js';

/**
 * Authorization server metadata (RFC 8414 §2, OpenID Connect Discovery 1.0
 * §3), built once from what is registered: only what works is listed.
 */
@Injectable()
export class DiscoveryMetadataService {
  private metadata: Readonly<Record<string, unknown>> | undefined;

  constructor(
    private readonly grants: GrantRegistry,
    private readonly authenticators: ClientAuthenticatorRegistry,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
  ) {}

  get(): Readonly<Record<string, unknown>> {
    this.metadata ??= this.build();
    return this.metadata;
  }

  private build(): Readonly<Record<string, unknown>> {
    const url = (path: string) => `${this.server.issuer}/${path}`;
    const authMethods = this.authenticators.methods();
    return Object.freeze({
      issuer: this.server.issuer,
      token_endpoint: url(TOKEN_PATH),
      jwks_uri: url(JWKS_PATH),
      introspection_endpoint: url(INTROSPECTION_PATH),
      revocation_endpoint: url(REVOCATION_PATH),
      grant_types_supported: this.grants.grantTypes(),
      // No authorization endpoint yet: no response type works.
      response_types_supported: [],
      token_endpoint_auth_methods_supported: authMethods,
      introspection_endpoint_auth_methods_supported: authMethods.filter(
        (method) => method !== 'none',
      ),
      revocation_endpoint_auth_methods_supported: authMethods,
    });
  }
}
