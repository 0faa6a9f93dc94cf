import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  AuthenticatedClient,
  ClientAuthenticationGuard,
} from '../clients/authentication/client-authentication.guard.js';
import type { Client } from '../clients/client.js';
import { audit } from '../common/audit/audit-log.js';
import { FormBodyGuard } from '../common/oauth/form-body.guard.js';
import { FormParams } from '../common/oauth/form-params.js';
import { NO_STORE_HEADERS } from '../common/oauth/no-store.js';
import {
  InvalidRequestError,
  OAuthError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from '../common/oauth/oauth-error.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { TokenResponse } from '../tokens/token-response.js';
import { GrantRegistry } from './grant-registry.js';

export const TOKEN_PATH = 'token';

const POLLING_ERRORS: ReadonlySet<string> = new Set(['authorization_pending', 'slow_down']);

/**
 * The token endpoint (RFC 6749 §3.2). The pipeline is fixed: form body,
 * client authentication (guards), grant_type lookup, the client's
 * allowed-grant check, the handler, a no-store response.
 */
@Controller(TOKEN_PATH)
export class TokenController {
  constructor(
    private readonly grants: GrantRegistry,
    private readonly metrics: MetricsService,
  ) {}

  @Post()
  @HttpCode(200)
  @UseGuards(FormBodyGuard, ClientAuthenticationGuard)
  async token(
    @FormParams() params: Readonly<Record<string, string>>,
    @AuthenticatedClient() client: Client,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const grantType = params.grant_type;
    if (grantType === undefined) throw new InvalidRequestError('grant_type is required');
    const handler = this.grants.get(grantType);
    if (handler === undefined) {
      throw new UnsupportedGrantTypeError(`grant_type '${grantType}' is not supported`);
    }
    if (!client.grantTypes.has(grantType)) {
      throw new UnauthorizedClientError(
        `the client is not allowed to use grant_type '${grantType}'`,
      );
    }
    try {
      const response = await handler.handle({ params, clientAddress: request.ip }, client);
      this.metrics.tokenIssued(grantType, client.clientId);
      audit('grant.succeeded', { client_id: client.clientId, grant_type: grantType });
      void reply.headers(NO_STORE_HEADERS);
      return response;
    } catch (error) {
      // Polling answers of the device flow (RFC 8628 §3.5) are not failures.
      if (error instanceof OAuthError && !POLLING_ERRORS.has(error.error)) {
        audit('grant.failed', {
          client_id: client.clientId,
          grant_type: grantType,
          error: error.error,
          detail: error.detail,
        });
      }
      throw error;
    }
  }
}
