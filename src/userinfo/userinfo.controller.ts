import { Controller, Get, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import type { VerifiedAccessToken } from '../tokens/access-token.service.js';
import { AccessTokenGuard, VerifiedToken } from './access-token.guard.js';
import { UserinfoService } from './userinfo.service.js';

export const USERINFO_PATH = 'userinfo';

/** The UserInfo endpoint (OpenID Connect Core §5.3), GET and POST, with a bearer token (RFC 6750). */
@Controller(USERINFO_PATH)
@UseGuards(AccessTokenGuard)
export class UserinfoController {
  constructor(private readonly userinfo: UserinfoService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  get(@VerifiedToken() token: VerifiedAccessToken): Promise<Record<string, unknown>> {
    return this.userinfo.userinfo(token.claims);
  }

  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  post(@VerifiedToken() token: VerifiedAccessToken): Promise<Record<string, unknown>> {
    return this.userinfo.userinfo(token.claims);
  }
}
