import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ClientsModule } from '../clients/clients.module.js';
import { GrantsModule } from '../grants/grants.module.js';
import { KeysModule } from '../keys/keys.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { TrustModule } from '../trust/trust.module.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { AdminBearerStrategy } from './auth/admin-bearer.strategy.js';
import { AdminGuard } from './auth/admin.guard.js';
import { ClientAdministrationService } from './clients/client-administration.service.js';
import { ClientsAdminController } from './clients/clients-admin.controller.js';
import { ConfigurationTransferService } from './configuration/configuration-transfer.service.js';
import { KeysAdminController } from './keys/keys-admin.controller.js';
import { OpenApiController } from './openapi/openapi.controller.js';
import { TrustedIssuersAdminController } from './trusted-issuers/trusted-issuers-admin.controller.js';
import { ConsentAdministrationService } from './users/consent-administration.service.js';
import { ConsentsAdminController } from './users/consents-admin.controller.js';
import { UsersAdminController } from './users/users-admin.controller.js';

/** The admin REST API under /admin (CONTRACT.md), guarded by bearer tokens with scope admin. */
@Module({
  imports: [PassportModule, ClientsModule, GrantsModule, KeysModule, TokensModule, TrustModule],
  controllers: [
    ClientsAdminController,
    UsersAdminController,
    ConsentsAdminController,
    KeysAdminController,
    TrustedIssuersAdminController,
    OpenApiController,
  ],
  providers: [
    AdminBearerStrategy,
    AdminGuard,
    ClientAdministrationService,
    ConsentAdministrationService,
    AdminBootstrapService,
    ConfigurationTransferService,
  ],
})
export class AdminModule {}
