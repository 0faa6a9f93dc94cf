import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TokensModule } from '../tokens/tokens.module.js';
import { JwksResolver } from './jwks-resolver.js';
import { JwtAssertionVerifier } from './jwt-assertion.verifier.js';
import { TrustedIssuerEntity } from './trusted-issuer.entity.js';
import { TrustedIssuersService } from './trusted-issuers.service.js';

/**
 * Trust in JWTs signed by others: trusted issuers (JWT bearer grant, token
 * exchange subject tokens) and client assertions. Import it for
 * JwtAssertionVerifier.
 */
@Module({
  imports: [TypeOrmModule.forFeature([TrustedIssuerEntity]), TokensModule],
  providers: [TrustedIssuersService, JwksResolver, JwtAssertionVerifier],
  exports: [TrustedIssuersService, JwksResolver, JwtAssertionVerifier],
})
export class TrustModule {}
