import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CorsHook } from '../common/http/cors.hook.js';
import { ClientAuthenticationGuard } from './authentication/client-authentication.guard.js';
import { ClientAuthenticationThrottle } from './authentication/client-authentication.throttle.js';
import { ClientAuthenticatorRegistry } from './authentication/client-authenticator.registry.js';
import { ClientSecretBasicAuthenticator } from './authentication/client-secret-basic.authenticator.js';
import { ClientSecretPostAuthenticator } from './authentication/client-secret-post.authenticator.js';
import { NoneAuthenticator } from './authentication/none.authenticator.js';
import { ClientEntity } from './client.entity.js';
import { ClientQuota } from './client-quota.js';
import { ClientMetadataValidator } from './client-metadata.validator.js';
import { ClientsService } from './clients.service.js';
import { CorsService } from './cors.service.js';
import { KeysModule } from '../keys/keys.module.js';

@Module({
  imports: [TypeOrmModule.forFeature([ClientEntity]), DiscoveryModule, KeysModule],
  providers: [
    ClientsService,
    ClientMetadataValidator,
    ClientAuthenticatorRegistry,
    ClientAuthenticationGuard,
    ClientAuthenticationThrottle,
    ClientQuota,
    ClientSecretBasicAuthenticator,
    ClientSecretPostAuthenticator,
    NoneAuthenticator,
    CorsService,
    CorsHook,
  ],
  exports: [
    ClientsService,
    ClientMetadataValidator,
    ClientAuthenticatorRegistry,
    ClientAuthenticationGuard,
    ClientAuthenticationThrottle,
    ClientQuota,
    CorsService,
  ],
})
export class ClientsModule {}
