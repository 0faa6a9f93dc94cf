import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationPageError } from './authorization-request.js';
import { sendPage } from './authorization-response.js';
import { browserOf, formOf, queryOf } from './browser-request.js';
import { type EndSessionOutcome, EndSessionService } from './end-session.service.js';
import { errorPage } from './pages/message.page.js';

export const END_SESSION_PATH = 'end_session';

/** RP-Initiated Logout 1.0 end_session_endpoint (GET and POST) and its confirmation form. */
@Controller(END_SESSION_PATH)
export class EndSessionController {
  constructor(private readonly endSession: EndSessionService) {}

  @Get()
  async endSessionGet(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, () => this.endSession.request(queryOf(request), browserOf(request)));
  }

  @Post()
  async endSessionPost(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, () => this.endSession.request(formOf(request), browserOf(request)));
  }

  @Post('confirm')
  async confirm(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, () => this.endSession.confirm(formOf(request), browserOf(request)));
  }

  private async answer(reply: FastifyReply, run: () => Promise<EndSessionOutcome>): Promise<void> {
    try {
      const outcome = await run();
      if (outcome.kind === 'page') {
        sendPage(reply, outcome.page, outcome.cookies);
        return;
      }
      void reply
        .status(303)
        .header('Set-Cookie', outcome.cookies)
        .headers({ Location: outcome.location, 'Cache-Control': 'no-store' })
        .send();
    } catch (error) {
      if (!(error instanceof AuthorizationPageError)) throw error;
      sendPage(reply, errorPage(error.description, error.status));
    }
  }
}
