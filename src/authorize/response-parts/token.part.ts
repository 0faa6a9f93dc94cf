import { Injectable } from '@nestjs/common';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import { type AuthorizationContext, type ResponsePart, ResponseTypePart } from './response-part.js';

/** `token`: an access token in the front channel (implicit and hybrid); never a refresh token. */
@ResponseTypePart()
@Injectable()
export class TokenResponsePart implements ResponsePart {
  readonly word = 'token';
  readonly order = 2;

  constructor(private readonly accessTokens: AccessTokenService) {}

  async contribute(context: AuthorizationContext, response: Record<string, string>): Promise<void> {
    const access = await this.accessTokens.issue(context.client, {
      subject: context.user.id,
      username: context.user.username,
      scopes: context.request.scopes,
      authTime: context.authTime,
    });
    response.access_token = access.token;
    response.token_type = 'Bearer';
    response.expires_in = String(access.expiresIn);
    if (access.claims.scope !== undefined) response.scope = access.claims.scope;
  }
}
