import { Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  AuthenticatedClient,
  ClientAuthenticationGuard,
} from '../clients/authentication/client-authentication.guard.js';
import type { Client } from '../clients/client.js';
import { FormBodyGuard } from '../common/oauth/form-body.guard.js';
import { FormParams } from '../common/oauth/form-params.js';
import { InvalidClientError, InvalidRequestError } from '../common/oauth/oauth-error.js';
import {
  type IntrospectionResponse,
  TokenIntrospectionService,
} from './token-introspection.service.js';

export const INTROSPECTION_PATH = 'introspect';

@Controller(INTROSPECTION_PATH)
export class IntrospectionController {
  constructor(private readonly introspection: TokenIntrospectionService) {}

  @Post()
  @HttpCode(200)
  @UseGuards(FormBodyGuard, ClientAuthenticationGuard)
  @Header('Cache-Control', 'no-store')
  introspect(
    @FormParams() params: Readonly<Record<string, string>>,
    @AuthenticatedClient() client: Client,
  ): Promise<IntrospectionResponse> {
    if (client.isPublic) {
      throw new InvalidClientError('introspection requires an authenticated confidential client');
    }
    if (params.token === undefined) throw new InvalidRequestError('token is required');
    return this.introspection.introspect(params.token, params.token_type_hint, client);
  }
}
