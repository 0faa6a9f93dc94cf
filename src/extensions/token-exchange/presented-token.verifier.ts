import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Client } from '../../clients/client.js';
import { ClientsService } from '../../clients/clients.service.js';
import { InvalidGrantError, InvalidRequestError } from '../../common/oauth/oauth-error.js';
import { epochSeconds } from '../../common/time.js';
import { serverConfig } from '../../config/server.config.js';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import { parseScope } from '../../tokens/scopes.js';
import type { ActorClaim } from '../../tokens/token-claims.js';
import { InvalidAssertionError } from '../../trust/invalid-assertion.error.js';
import { JwtAssertionVerifier } from '../../trust/jwt-assertion.verifier.js';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE } from './token-types.js';

/** Which parameter a token came in: named in errors. */
export type TokenRole = 'subject_token' | 'actor_token';

/** What an exchange learns from a subject or actor token it accepted. */
export interface PresentedToken {
  readonly subject: string;
  /** Set when the subject is one of another issuer (a trusted issuer's JWT). */
  readonly issuer?: string;
  /** The scopes the token carries; undefined when it does not limit them. */
  readonly scopes: readonly string[] | undefined;
  readonly act?: ActorClaim;
  readonly username?: string;
}

/** A caller's check of an accepted token, run before a JWT's jti is used up. */
export type BeforeUse = (presented: PresentedToken) => void;

/** Deepest act chain accepted in a presented token. */
const MAX_ACT_DEPTH = 10;

/**
 * Checks the tokens an RFC 8693 request presents, by their token type:
 * access tokens of this service (unexpired, unrevoked, their client still
 * registered), and JWTs of trusted issuers (JwtAssertionVerifier: signature,
 * times, allowed subject; single-use by jti). Either must be meant for this
 * service or for the requesting client (aud).
 */
@Injectable()
export class PresentedTokenVerifier {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly clients: ClientsService,
    private readonly trustedJwts: JwtAssertionVerifier,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
  ) {}

  /** The token types this verifier understands. */
  supports(tokenType: string): boolean {
    return tokenType === ACCESS_TOKEN_TYPE || tokenType === JWT_TOKEN_TYPE;
  }

  async verify(
    token: string,
    tokenType: string,
    role: TokenRole,
    client: Client,
    beforeUse: BeforeUse = () => undefined,
  ): Promise<PresentedToken> {
    if (tokenType === JWT_TOKEN_TYPE) return this.trustedJwt(token, role, client, beforeUse);
    if (tokenType !== ACCESS_TOKEN_TYPE) {
      throw new InvalidRequestError(`unsupported ${role}_type`);
    }
    const verified = await this.accessTokens.verify(token);
    // Made only when thrown: an error captures a stack, which cost 3 % of an exchange's time.
    const refused = (reason?: string) =>
      new InvalidGrantError(`the ${role} is invalid, expired or revoked`, reason);
    if (verified === undefined) throw refused();
    const { claims } = verified;
    if (claims.exp <= epochSeconds()) throw refused();
    if ((await this.clients.find(claims.client_id)) === undefined) {
      throw refused(`the ${role}'s client is gone`);
    }
    // The token must have been meant for this service, or for the client that presents it.
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!audiences.includes(this.server.issuer) && !audiences.includes(client.clientId)) {
      throw new InvalidGrantError(
        `the ${role} is not for this party`,
        `aud ${JSON.stringify(claims.aud)}`,
      );
    }
    const presented: PresentedToken = {
      subject: claims.sub,
      scopes: parseScope(claims.scope),
      ...(claims.act !== undefined ? { act: claims.act } : {}),
      ...(claims.username !== undefined ? { username: claims.username } : {}),
    };
    beforeUse(presented);
    return presented;
  }

  private async trustedJwt(
    token: string,
    role: TokenRole,
    client: Client,
    beforeUse: BeforeUse,
  ): Promise<PresentedToken> {
    let presented: PresentedToken | undefined;
    try {
      await this.trustedJwts.verifyTrustedIssuerJwt(
        token,
        [...this.trustedJwts.audiences(), client.clientId],
        {
          beforeUse: ({ issuer, subject, claims, trustedIssuer }) => {
            const act = claims.act === undefined ? undefined : actorChain(claims.act);
            if (claims.act !== undefined && act === undefined) {
              throw new InvalidGrantError(`the ${role} has an act claim that is not acceptable`);
            }
            const byToken = typeof claims.scope === 'string' ? parseScope(claims.scope) : undefined;
            const byIssuer = trustedIssuer.allowedScopes ?? undefined;
            const scopes =
              byToken === undefined
                ? byIssuer
                : byToken.filter((scope) => byIssuer === undefined || byIssuer.includes(scope));
            presented = { subject, issuer, scopes, ...(act !== undefined ? { act } : {}) };
            beforeUse(presented);
          },
        },
      );
    } catch (error) {
      if (!(error instanceof InvalidAssertionError)) throw error;
      throw new InvalidGrantError(
        error.describe(role),
        `client ${client.clientId}: ${error.detail ?? error.reason}`,
      );
    }
    return presented!;
  }
}

/** A well-formed RFC 8693 §4.1 act chain (sub, optional iss, nested act), or undefined. */
function actorChain(value: unknown, depth = 1): ActorClaim | undefined {
  if (depth > MAX_ACT_DEPTH || typeof value !== 'object' || value === null) return undefined;
  const { sub, iss, act } = value as Record<string, unknown>;
  if (typeof sub !== 'string' || (iss !== undefined && typeof iss !== 'string')) return undefined;
  const prior = act === undefined ? undefined : actorChain(act, depth + 1);
  if (act !== undefined && prior === undefined) return undefined;
  return {
    sub,
    ...(iss !== undefined ? { iss } : {}),
    ...(prior !== undefined ? { act: prior } : {}),
  };
}
