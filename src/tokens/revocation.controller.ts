import { Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  AuthenticatedClient,
  ClientAuthenticationGuard,
} from '../clients/authentication/client-authentication.guard.js';
import type { Client } from '../clients/client.js';
import { FormBodyGuard } from '../common/oauth/form-body.guard.js';
import { FormParams } from '../common/oauth/form-params.js';
import { InvalidRequestError } from '../common/oauth/oauth-error.js';
import { TokenRevocationService } from './token-revocation.service.js';

export const REVOCATION_PATH = 'revoke';

@Controller(REVOCATION_PATH)
export class RevocationController {
  constructor(private readonly revocation: TokenRevocationService) {}

  /** RFC 7009 §2.2: 200 with an empty body, whether or not the token was known. */
  @Post()
  @HttpCode(200)
  @UseGuards(FormBodyGuard, ClientAuthenticationGuard)
  @Header('Cache-Control', 'no-store')
  async revoke(
    @FormParams() params: Readonly<Record<string, string>>,
    @AuthenticatedClient() client: Client,
  ): Promise<void> {
    if (params.token === undefined) throw new InvalidRequestError('token is required');
    await this.revocation.revoke(params.token, params.token_type_hint, client);
  }
}
