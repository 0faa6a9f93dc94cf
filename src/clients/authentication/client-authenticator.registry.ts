import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DiscoveryService } from '@nestjs/core';
import { audit } from '../../common/audit/audit-log.js';
import { InvalidClientError, InvalidRequestError } from '../../common/oauth/oauth-error.js';
import { serverConfig } from '../../config/server.config.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import type { Client } from '../client.js';
import { ClientAuthenticationMethod } from './client-authentication-method.decorator.js';
import type { ClientAuthenticator } from './client-authenticator.js';
import type { ClientAuthenticationInput } from './client-credentials.js';

/** Every client authentication method in the application, found at start-up. */
@Injectable()
export class ClientAuthenticatorRegistry implements OnModuleInit {
  private authenticators: ClientAuthenticator[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const found = this.discovery
      .getProviders({ metadataKey: ClientAuthenticationMethod.KEY })
      .map((wrapper) => wrapper.instance as ClientAuthenticator);
    const seen = new Set<string>();
    for (const authenticator of found) {
      if (seen.has(authenticator.method)) {
        throw new Error(
          `Two providers implement client authentication method "${authenticator.method}"`,
        );
      }
      seen.add(authenticator.method);
    }
    this.authenticators = found;
  }

  methods(): string[] {
    return this.authenticators.map((authenticator) => authenticator.method);
  }

  /** Every JWS algorithm some method accepts for client assertions, for discovery. */
  signingAlgorithms(): string[] {
    return [...new Set(this.authenticators.flatMap((a) => a.signingAlgorithms ?? []))];
  }

  /** The JWS algorithms of each method that signs (token_endpoint_auth_signing_alg at registration). */
  signingAlgorithmsByMethod(): ReadonlyMap<string, ReadonlySet<string>> {
    return new Map(
      this.authenticators
        .filter((authenticator) => authenticator.signingAlgorithms !== undefined)
        .map((authenticator) => [authenticator.method, new Set(authenticator.signingAlgorithms)]),
    );
  }

  /**
   * Authenticates the client with the one method the request uses.
   * RFC 6749 §2.3: a client MUST NOT use more than one method per request.
   */
  async authenticate(input: ClientAuthenticationInput): Promise<Client> {
    const presented = this.authenticators.filter((authenticator) => authenticator.presents(input));
    if (presented.length > 1) {
      throw new InvalidRequestError(
        `the request uses more than one client authentication method (${presented.map((a) => a.method).join(', ')})`,
      );
    }
    if (presented.length === 0) {
      throw new InvalidClientError('client authentication is required');
    }
    const method = presented[0]!;
    try {
      const client = await method.authenticate(input);
      const claimedId = input.params.client_id;
      if (claimedId !== undefined && claimedId !== client.clientId) {
        throw new InvalidClientError('client_id does not match the authenticated client', {
          detail: `client_id ${claimedId} beside credentials of ${client.clientId}`,
        });
      }
      return client;
    } catch (error) {
      if (!(error instanceof InvalidClientError)) throw error;
      this.metrics.clientAuthenticationFailed(method.method);
      audit('client.authentication_failed', { method: method.method, detail: error.detail });
      // RFC 6749 §5.2: a client that tried HTTP Basic gets 401 and a Basic challenge.
      if (method.method === 'client_secret_basic') {
        throw new InvalidClientError(error.description, {
          basicRealm: this.server.issuer,
          detail: error.detail,
        });
      }
      throw error;
    }
  }
}
