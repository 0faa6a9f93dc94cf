import { Module } from '@nestjs/common';
import { TrustModule } from '../../trust/trust.module.js';
import { ClientsModule } from '../clients.module.js';
import { ClientSecretJwtAuthenticator } from './client-secret-jwt.authenticator.js';
import { PrivateKeyJwtAuthenticator } from './private-key-jwt.authenticator.js';

/**
 * The JWT client authentication methods. A module of their own because
 * they check assertions with TrustModule, which builds on TokensModule, which
 * builds on ClientsModule; the registry in ClientsModule finds them at start-up.
 */
@Module({
  imports: [ClientsModule, TrustModule],
  providers: [PrivateKeyJwtAuthenticator, ClientSecretJwtAuthenticator],
})
export class JwtClientAuthenticationModule {}
