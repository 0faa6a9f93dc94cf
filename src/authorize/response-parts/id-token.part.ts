import { Injectable } from '@nestjs/common';
import { IdTokenService } from '../../tokens/id-token.service.js';
import { claimsForScopes } from '../../users/claims-by-scope.js';
import { type AuthorizationContext, type ResponsePart, ResponseTypePart } from './response-part.js';

/**
 * `id_token`: signed last, with c_hash and at_hash of what the other parts
 * issued. With response_type=id_token alone there is no access token for
 * userinfo, so the scopes' claims go in the ID token (OpenID Connect Core §5.4).
 */
@ResponseTypePart()
@Injectable()
export class IdTokenResponsePart implements ResponsePart {
  readonly word = 'id_token';
  readonly order = 3;

  constructor(private readonly idTokens: IdTokenService) {}

  async contribute(context: AuthorizationContext, response: Record<string, string>): Promise<void> {
    const { request, user } = context;
    response.id_token = await this.idTokens.issue(context.client, {
      subject: user.id,
      nonce: request.nonce,
      authTime: context.authTime,
      sid: context.sid,
      accessToken: response.access_token,
      code: response.code,
      claims:
        request.responseType === 'id_token' ? claimsForScopes(user, request.scopes) : undefined,
    });
  }
}
