import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../clients/clients.module.js';
import { KeysModule } from '../keys/keys.module.js';
import { AccessTokenService } from './access-token.service.js';
import { AuthorizationCodeService } from './authorization-code.service.js';
import { IdTokenService } from './id-token.service.js';
import { GrantSweeper } from './grant-sweeper.js';
import { IntrospectionController } from './introspection.controller.js';
import { PersistedGrantEntity } from './persisted-grant.entity.js';
import { PersistedGrantStore } from './persisted-grant.store.js';
import { RefreshTokenService } from './refresh-token.service.js';
import { RevocationController } from './revocation.controller.js';
import { TokenFamilies } from './token-families.js';
import { TokenIntrospectionService } from './token-introspection.service.js';
import { TokenRevocationService } from './token-revocation.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([PersistedGrantEntity]), ClientsModule, KeysModule],
  controllers: [IntrospectionController, RevocationController],
  providers: [
    PersistedGrantStore,
    AccessTokenService,
    RefreshTokenService,
    AuthorizationCodeService,
    IdTokenService,
    TokenFamilies,
    TokenIntrospectionService,
    TokenRevocationService,
    GrantSweeper,
  ],
  exports: [
    PersistedGrantStore,
    AccessTokenService,
    RefreshTokenService,
    AuthorizationCodeService,
    IdTokenService,
    TokenFamilies,
    GrantSweeper,
  ],
})
export class TokensModule {}
