import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendPage } from '../../authorize/authorization-response.js';
import { browserOf, formOf } from '../../authorize/browser-request.js';
import { VERIFICATION_PATH } from './device-authorization.service.js';
import {
  type DevicePageOutcome,
  DeviceVerificationService,
} from './device-verification.service.js';

/** The verification URI (RFC 8628 §3.3) and the login and consent forms that continue it. */
@Controller(VERIFICATION_PATH)
export class DeviceVerificationController {
  constructor(private readonly verification: DeviceVerificationService) {}

  @Get()
  show(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const query = (request.query ?? {}) as Record<string, unknown>;
    send(reply, this.verification.show(query.user_code, browserOf(request)));
  }

  @Post()
  async enter(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.verification.enter(formOf(request), browserOf(request)));
  }

  @Post('login')
  async login(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.verification.login(formOf(request), browserOf(request)));
  }

  @Post('consent')
  async consent(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.verification.consent(formOf(request), browserOf(request)));
  }
}

function send(reply: FastifyReply, outcome: DevicePageOutcome): void {
  sendPage(reply, outcome.page, outcome.cookies);
}
