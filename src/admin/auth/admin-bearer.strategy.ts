import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { ClientsService } from '../../clients/clients.service.js';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import { parseScope } from '../../tokens/scopes.js';

/** Who is calling the admin API: the client of a valid access token of this service. */
export interface AdminPrincipal {
  readonly clientId: string;
  readonly scopes: ReadonlySet<string>;
}

export const ADMIN_BEARER_STRATEGY = 'admin-bearer';

/** RFC 6750 bearer tokens, accepted only when this service issued them and their client still exists. */
@Injectable()
export class AdminBearerStrategy extends PassportStrategy(Strategy, ADMIN_BEARER_STRATEGY) {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly clients: ClientsService,
  ) {
    super();
  }

  async validate(token: string): Promise<AdminPrincipal | false> {
    const verified = await this.accessTokens.verify(token);
    if (verified === undefined) return false;
    const { claims } = verified;
    if (claims.exp * 1000 <= Date.now() || !(await this.clients.find(claims.client_id)))
      return false;
    return { clientId: claims.client_id, scopes: new Set(parseScope(claims.scope)) };
  }
}
