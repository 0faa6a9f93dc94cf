import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InsufficientScopeError, InvalidTokenError } from '../common/oauth/oauth-error.js';
import { serverConfig } from '../config/server.config.js';
import { parseScope } from '../tokens/scopes.js';
import type { AccessTokenClaims } from '../tokens/token-claims.js';
import { claimsForScopes } from '../users/claims-by-scope.js';
import { UsersService } from '../users/users.service.js';
import { INVALID_TOKEN } from './access-token.guard.js';

export const OPENID_SCOPE = 'openid';

/**
 * The UserInfo response (OpenID Connect Core §5.3): sub and the claims the
 * token's scopes release (§5.4). Only tokens issued for a user with scope
 * openid are accepted.
 */
@Injectable()
export class UserinfoService {
  constructor(
    private readonly users: UsersService,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
  ) {}

  async userinfo(token: AccessTokenClaims): Promise<Record<string, unknown>> {
    const realm = this.server.issuer;
    // A client_credentials token names its client as subject: there is no user to describe.
    const user = token.sub === token.client_id ? null : await this.users.findById(token.sub);
    if (user === null) {
      throw new InvalidTokenError(INVALID_TOKEN, {
        realm,
        detail: `token ${token.jti} has no user as subject (sub ${token.sub})`,
      });
    }
    const scopes = parseScope(token.scope);
    if (!scopes.includes(OPENID_SCOPE)) {
      throw new InsufficientScopeError(`the access token lacks scope '${OPENID_SCOPE}'`, {
        realm,
        scope: OPENID_SCOPE,
      });
    }
    return { sub: user.id, ...claimsForScopes(user, scopes) };
  }
}
