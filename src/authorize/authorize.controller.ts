import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationPageError, AuthorizationRedirectError } from './authorization-request.js';
import { sendAuthorizationResponse, sendPage } from './authorization-response.js';
import { type AuthorizeOutcome, AuthorizationService } from './authorization.service.js';
import { browserOf, formOf, queryOf } from './browser-request.js';
import { errorPage } from './pages/message.page.js';

export const AUTHORIZATION_PATH = 'authorize';

/**
 * The authorization endpoint (GET and POST, RFC 6749 §3.1; OpenID Connect
 * Core §3.1.2.1) and the login and consent forms that continue it.
 */
@Controller(AUTHORIZATION_PATH)
export class AuthorizeController {
  constructor(private readonly authorization: AuthorizationService) {}

  @Get()
  async authorizeGet(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, () =>
      this.authorization.authorize(queryOf(request), browserOf(request)),
    );
  }

  @Post()
  async authorizePost(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, () =>
      this.authorization.authorize(formOf(request), browserOf(request)),
    );
  }

  @Post('login')
  async login(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, () => this.authorization.login(formOf(request), browserOf(request)));
  }

  @Post('consent')
  async consent(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, () => this.authorization.consent(formOf(request), browserOf(request)));
  }

  private async answer(reply: FastifyReply, run: () => Promise<AuthorizeOutcome>): Promise<void> {
    try {
      const outcome = await run();
      if (outcome.kind === 'page') sendPage(reply, outcome.page, outcome.cookies);
      else sendAuthorizationResponse(reply, outcome.target, outcome.params, outcome.cookies);
    } catch (error) {
      if (error instanceof AuthorizationRedirectError) {
        sendAuthorizationResponse(
          reply,
          error.target,
          this.authorization.errorParams(error.error, error.target),
        );
      } else if (error instanceof AuthorizationPageError) {
        sendPage(reply, errorPage(error.description, error.status));
      } else {
        throw error;
      }
    }
  }
}
