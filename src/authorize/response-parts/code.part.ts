import { Injectable } from '@nestjs/common';
import { AuthorizationCodeService } from '../../tokens/authorization-code.service.js';
import { type AuthorizationContext, type ResponsePart, ResponseTypePart } from './response-part.js';

/** `code`: an authorization code bound to the client, redirect URI, PKCE challenge and nonce. */
@ResponseTypePart()
@Injectable()
export class CodeResponsePart implements ResponsePart {
  readonly word = 'code';
  readonly order = 1;

  constructor(private readonly codes: AuthorizationCodeService) {}

  async contribute(context: AuthorizationContext, response: Record<string, string>): Promise<void> {
    const { client, request, user } = context;
    response.code = await this.codes.issue(client, {
      subject: user.id,
      username: user.username,
      scope: request.scopes.join(' '),
      redirectUri: request.redirectUri,
      redirectUriGiven: request.redirectUriGiven,
      codeChallenge: request.codeChallenge,
      nonce: request.nonce,
      authTime: context.authTime,
      sid: context.sid,
    });
  }
}
