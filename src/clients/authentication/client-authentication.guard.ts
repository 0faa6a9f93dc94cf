import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { readFormParams } from '../../common/oauth/form-params.js';
import type { Client } from '../client.js';
import { ClientAuthenticatorRegistry } from './client-authenticator.registry.js';

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
  constructor(private readonly authenticators: ClientAuthenticatorRegistry) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const params = request.oauthParams ?? readFormParams(request);
    request.oauthClient = await this.authenticators.authenticate({
      authorization: request.headers.authorization,
      params,
      endpoint: request.routeOptions.url,
    });
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
