import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { readFormParams } from '../../common/oauth/form-params.js';
import { InvalidClientError } from '../../common/oauth/oauth-error.js';
import type { Client } from '../client.js';
import { ClientQuota } from '../client-quota.js';
import { ClientAuthenticationThrottle } from './client-authentication.throttle.js';
import { ClientAuthenticatorRegistry } from './client-authenticator.registry.js';
import type { ClientAuthenticationInput } from './client-credentials.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ClientAuthenticationGuard. */
    oauthClient?: Client;
  }
}

/**
 * Authenticates the client of a back-channel request (token, introspection,
 * revocation) before anything else looks at the request. Runs after FormBodyGuard.
 */
@Injectable()
export class ClientAuthenticationGuard implements CanActivate {
  constructor(
    private readonly authenticators: ClientAuthenticatorRegistry,
    private readonly throttle: ClientAuthenticationThrottle,
    private readonly quota: ClientQuota,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const params = request.oauthParams ?? readFormParams(request);
    const input: ClientAuthenticationInput = {
      authorization: request.headers.authorization,
      params,
      endpoint: request.routeOptions.url,
    };
    // A client or address that failed too often waits, whatever it presents now.
    this.throttle.check(input, request.ip);
    let client: Client;
    try {
      client = await this.authenticators.authenticate(input);
    } catch (error) {
      if (error instanceof InvalidClientError) await this.throttle.recordFailure(input, request.ip);
      throw error;
    }
    await this.quota.consume(client);
    request.oauthClient = client;
    return true;
  }
}

/** The client that ClientAuthenticationGuard authenticated. */
export const AuthenticatedClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Client => {
    const client = context.switchToHttp().getRequest<FastifyRequest>().oauthClient;
    if (client === undefined)
      throw new Error('AuthenticatedClient used without ClientAuthenticationGuard');
    return client;
  },
);
