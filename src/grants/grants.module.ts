import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ClientsModule } from '../clients/clients.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { TrustModule } from '../trust/trust.module.js';
import { GrantRegistry } from './grant-registry.js';
import { AuthorizationCodeGrant } from './handlers/authorization-code.grant.js';
import { ClientCredentialsGrant } from './handlers/client-credentials.grant.js';
import { JwtBearerGrant } from './handlers/jwt-bearer.grant.js';
import { PasswordGrant } from './handlers/password.grant.js';
import { RefreshTokenGrant } from './handlers/refresh-token.grant.js';
import { TokenController } from './token.controller.js';

/** The token endpoint and the built-in grants. Extension grants live in their own modules. */
@Module({
  imports: [DiscoveryModule, ClientsModule, TokensModule, TrustModule],
  controllers: [TokenController],
  providers: [
    GrantRegistry,
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    JwtBearerGrant,
    PasswordGrant,
    RefreshTokenGrant,
  ],
  exports: [GrantRegistry],
})
export class GrantsModule {}
