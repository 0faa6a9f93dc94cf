import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ClientsModule } from '../clients/clients.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { AuthorizationRequestValidator } from './authorization-request.validator.js';
import { AuthorizationService } from './authorization.service.js';
import { AuthorizeController } from './authorize.controller.js';
import { ConsentService } from './consent.service.js';
import { EndSessionController } from './end-session.controller.js';
import { EndSessionService } from './end-session.service.js';
import { InteractionService } from './interaction.service.js';
import { CodeResponsePart } from './response-parts/code.part.js';
import { IdTokenResponsePart } from './response-parts/id-token.part.js';
import { ResponseTypeRegistry } from './response-parts/response-type.registry.js';
import { TokenResponsePart } from './response-parts/token.part.js';
import { SessionService } from './session.service.js';
import { SignInService } from './sign-in.service.js';

/** The authorization endpoint, login and consent pages, user sessions and end_session. */
@Module({
  imports: [DiscoveryModule, ClientsModule, TokensModule],
  controllers: [AuthorizeController, EndSessionController],
  providers: [
    AuthorizationService,
    AuthorizationRequestValidator,
    ResponseTypeRegistry,
    CodeResponsePart,
    TokenResponsePart,
    IdTokenResponsePart,
    SessionService,
    InteractionService,
    ConsentService,
    SignInService,
    EndSessionService,
  ],
  // The sign-in, session and consent services serve other user-facing flows too (e.g. the device flow).
  exports: [ResponseTypeRegistry, SessionService, SignInService, ConsentService],
})
export class AuthorizeModule {}
