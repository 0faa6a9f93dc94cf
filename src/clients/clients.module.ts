import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientAuthenticationGuard } from './authentication/client-authentication.guard.js';
import { ClientAuthenticatorRegistry } from './authentication/client-authenticator.registry.js';
import { ClientSecretBasicAuthenticator } from './authentication/client-secret-basic.authenticator.js';
import { ClientSecretPostAuthenticator } from './authentication/client-secret-post.authenticator.js';
import { NoneAuthenticator } from './authentication/none.authenticator.js';
import { ClientEntity } from './client.entity.js';
import { ClientMetadataValidator } from './client-metadata.validator.js';
import { ClientsService } from './clients.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ClientEntity]), DiscoveryModule],
  providers: [
    ClientsService,
    ClientMetadataValidator,
    ClientAuthenticatorRegistry,
    ClientAuthenticationGuard,
    ClientSecretBasicAuthenticator,
    ClientSecretPostAuthenticator,
    NoneAuthenticator,
  ],
  exports: [ClientsService, ClientAuthenticatorRegistry, ClientAuthenticationGuard],
})
export class ClientsModule {}
