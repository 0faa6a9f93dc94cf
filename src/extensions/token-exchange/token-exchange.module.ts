import { Module } from '@nestjs/common';
import { ClientsModule } from '../../clients/clients.module.js';
import { TokensModule } from '../../tokens/tokens.module.js';
import { TrustModule } from '../../trust/trust.module.js';
import { PresentedTokenVerifier } from './presented-token.verifier.js';
import { TokenExchangeGrant } from './token-exchange.grant.js';

/**
 * OAuth 2.0 Token Exchange (RFC 8693) as an extension module: importing it
 * adds the grant to the token endpoint, client registration and discovery.
 */
@Module({
  imports: [ClientsModule, TokensModule, TrustModule],
  providers: [PresentedTokenVerifier, TokenExchangeGrant],
})
export class TokenExchangeModule {}
