import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { ClientsService } from '../clients/clients.service.js';
import {
  AccessTokenRequiredError,
  InvalidBearerRequestError,
  InvalidRequestError,
  InvalidTokenError,
} from '../common/oauth/oauth-error.js';
import { epochSeconds } from '../common/time.js';
import { serverConfig } from '../config/server.config.js';
import { AccessTokenService, type VerifiedAccessToken } from '../tokens/access-token.service.js';
import { bearerTokenOf } from './bearer-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by AccessTokenGuard: the verified access token the request presented. */
    accessToken?: VerifiedAccessToken;
  }
}

export const INVALID_TOKEN = 'the access token is invalid, expired or revoked';

/**
 * Admits a request to a resource of this service that presents a usable
 * access token (RFC 6750): issued here, unexpired, unrevoked, of a client
 * that still exists. No token: a bare 401 challenge; any other: 401
 * invalid_token. Records the token's client on the request (for CORS).
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly clients: ClientsService,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const realm = this.server.issuer;
    const token = presentedToken(request, realm);
    if (token === undefined) throw new AccessTokenRequiredError(realm);
    const verified = await this.accessTokens.verify(token);
    if (verified === undefined) {
      throw new InvalidTokenError(INVALID_TOKEN, { realm, detail: 'unknown or revoked token' });
    }
    const { claims } = verified;
    if (claims.exp <= epochSeconds()) {
      throw new InvalidTokenError(INVALID_TOKEN, { realm, detail: `token ${claims.jti} expired` });
    }
    const client = await this.clients.find(claims.client_id);
    if (client === undefined) {
      throw new InvalidTokenError(INVALID_TOKEN, {
        realm,
        detail: `client ${claims.client_id} of token ${claims.jti} is gone`,
      });
    }
    request.tokenClient = client;
    request.accessToken = verified;
    return true;
  }
}

/** The request's bearer token; a malformed request is refused with the Bearer challenge (RFC 6750 §3). */
function presentedToken(request: FastifyRequest, realm: string): string | undefined {
  try {
    return bearerTokenOf(request);
  } catch (error) {
    if (error instanceof InvalidRequestError) {
      throw new InvalidBearerRequestError(error.description, realm);
    }
    throw error;
  }
}

/** The access token that AccessTokenGuard admitted. */
export const VerifiedToken = createParamDecorator(
  (_data: unknown, context: ExecutionContext): VerifiedAccessToken => {
    const token = context.switchToHttp().getRequest<FastifyRequest>().accessToken;
    if (token === undefined) throw new Error('VerifiedToken used without AccessTokenGuard');
    return token;
  },
);
