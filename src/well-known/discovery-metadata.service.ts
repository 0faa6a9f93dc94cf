import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DiscoveryService } from '@nestjs/core';
import { ClientAuthenticatorRegistry } from '../clients/authentication/client-authenticator.registry.js';
import { serverConfig } from '../config/server.config.js';
import { AUTHORIZATION_PATH } from '../authorize/authorize.controller.js';
import { END_SESSION_PATH } from '../authorize/end-session.controller.js';
import { ResponseTypeRegistry } from '../authorize/response-parts/response-type.registry.js';
import { GrantRegistry } from '../grants/grant-registry.js';
import { TOKEN_PATH } from '../grants/token.controller.js';
import { JWKS_PATH } from '../keys/jwks.controller.js';
import { INTROSPECTION_PATH } from '../tokens/introspection.controller.js';
import { REVOCATION_PATH } from '../tokens/revocation.controller.js';
import { OIDC_SCOPES, SUPPORTED_CLAIMS } from '../users/claims-by-scope.js';
import { USERINFO_PATH } from '../userinfo/userinfo.controller.js';
import {
  type DiscoveryMetadataContribution,
  DiscoveryMetadataContributor,
} from './discovery-metadata.contributor.js';

/**
 * Authorization server metadata (RFC 8414 §2, OpenID Connect Discovery 1.0
 * §3), built once from what is registered: only what works is listed.
 */
@Injectable()
export class DiscoveryMetadataService implements OnApplicationBootstrap {
  private metadata: Readonly<Record<string, unknown>> | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly grants: GrantRegistry,
    private readonly authenticators: ClientAuthenticatorRegistry,
    private readonly responseTypes: ResponseTypeRegistry,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
  ) {}

  /** Built once everything is registered, so that a member contributed twice stops start-up. */
  onApplicationBootstrap(): void {
    this.metadata = this.build();
  }

  get(): Readonly<Record<string, unknown>> {
    this.metadata ??= this.build();
    return this.metadata;
  }

  private build(): Readonly<Record<string, unknown>> {
    const url = (path: string) => `${this.server.issuer}/${path}`;
    const authMethods = this.authenticators.methods();
    // RFC 8414 §2: the algorithms of the methods that sign (private_key_jwt, client_secret_jwt).
    const authSigningAlgs = this.authenticators.signingAlgorithms();
    const signing = (endpoint: string) =>
      authSigningAlgs.length > 0
        ? { [`${endpoint}_endpoint_auth_signing_alg_values_supported`]: authSigningAlgs }
        : {};
    const responseTypes = this.responseTypes.responseTypes();
    // implicit is a grant of the authorization endpoint: listed when a response type returns tokens there.
    const implicit = responseTypes.some((type) => type !== 'code') ? ['implicit'] : [];
    const core: Record<string, unknown> = {
      issuer: this.server.issuer,
      authorization_endpoint: url(AUTHORIZATION_PATH),
      token_endpoint: url(TOKEN_PATH),
      jwks_uri: url(JWKS_PATH),
      introspection_endpoint: url(INTROSPECTION_PATH),
      revocation_endpoint: url(REVOCATION_PATH),
      userinfo_endpoint: url(USERINFO_PATH),
      scopes_supported: OIDC_SCOPES,
      claims_supported: SUPPORTED_CLAIMS,
      end_session_endpoint: url(END_SESSION_PATH),
      grant_types_supported: [...this.grants.grantTypes(), ...implicit],
      response_types_supported: responseTypes,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      token_endpoint_auth_methods_supported: authMethods,
      introspection_endpoint_auth_methods_supported: authMethods.filter(
        (method) => method !== 'none',
      ),
      revocation_endpoint_auth_methods_supported: authMethods,
      ...signing('token'),
      ...signing('introspection'),
      ...signing('revocation'),
    };
    return Object.freeze(this.withContributions(core));
  }

  /** Adds what extension modules contribute (@DiscoveryMetadataContributor providers). */
  private withContributions(core: Record<string, unknown>): Record<string, unknown> {
    const metadata = { ...core };
    for (const wrapper of this.discovery.getProviders({
      metadataKey: DiscoveryMetadataContributor.KEY,
    })) {
      const contributor = wrapper.instance as DiscoveryMetadataContribution;
      for (const [member, value] of Object.entries(contributor.discoveryMetadata())) {
        if (member in metadata) {
          throw new Error(
            `Discovery metadata member "${member}" is contributed by ${contributor.constructor.name} but is already listed`,
          );
        }
        metadata[member] = value;
      }
    }
    return metadata;
  }
}
