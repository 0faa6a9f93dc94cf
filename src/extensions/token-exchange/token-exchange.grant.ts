import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Client } from '../../clients/client.js';
import {
  TOKEN_EXCHANGE_GRANT_TYPE,
  type TokenExchangePolicy,
} from '../../clients/client-metadata.js';
import {
  InvalidRequestError,
  InvalidTargetError,
  UnauthorizedClientError,
} from '../../common/oauth/oauth-error.js';
import { serverConfig } from '../../config/server.config.js';
import type { GrantHandler, TokenRequest } from '../../grants/grant-handler.interface.js';
import { grantParams } from '../../grants/grant-params.js';
import { GrantType } from '../../grants/grant-type.decorator.js';
import { AccessTokenService } from '../../tokens/access-token.service.js';
import { grantedScopes } from '../../tokens/scopes.js';
import type { ActorClaim } from '../../tokens/token-claims.js';
import { bearerTokenResponse, type TokenResponse } from '../../tokens/token-response.js';
import { PresentedTokenVerifier, type PresentedToken } from './presented-token.verifier.js';
import { TokenExchangeParams } from './token-exchange.params.js';
import { ACCESS_TOKEN_TYPE } from './token-types.js';

/**
 * RFC 8693 token exchange. Without an actor_token the new token is the
 * subject's (impersonation); with one it names the actor in an act claim
 * (delegation), keeping the subject token's act inside as the prior actor.
 * What a client may exchange is its token_exchange policy.
 */
@GrantType()
@Injectable()
export class TokenExchangeGrant implements GrantHandler {
  readonly grantType = TOKEN_EXCHANGE_GRANT_TYPE;

  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly presented: PresentedTokenVerifier,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
  ) {}

  async handle(request: TokenRequest, client: Client): Promise<TokenResponse> {
    const params = grantParams(TokenExchangeParams, request.params);
    const delegation = params.actor_token !== undefined;
    if (delegation && params.actor_token_type === undefined) {
      throw new InvalidRequestError('actor_token_type is required with actor_token');
    }
    if (!delegation && params.actor_token_type !== undefined) {
      throw new InvalidRequestError('actor_token_type must not be sent without actor_token');
    }
    if (
      params.requested_token_type !== undefined &&
      params.requested_token_type !== ACCESS_TOKEN_TYPE
    ) {
      throw new InvalidRequestError('unsupported requested_token_type');
    }
    for (const [role, type] of [
      ['subject_token', params.subject_token_type],
      ['actor_token', params.actor_token_type],
    ] as const) {
      if (type !== undefined && !this.presented.supports(type)) {
        throw new InvalidRequestError(`unsupported ${role}_type`);
      }
    }

    const policy = client.metadata.token_exchange;
    if (policy === undefined) throw new UnauthorizedClientError('no token exchange policy');
    this.checkPolicy(policy, params);
    const audience = this.targets(policy, params);

    // The actor first, and the scope check before the subject is accepted: a refusal then
    // leaves a trusted issuer's single-use subject JWT unused.
    const actor = delegation
      ? await this.presented.verify(
          params.actor_token!,
          params.actor_token_type!,
          'actor_token',
          client,
        )
      : undefined;
    let scopes: string[] = [];
    const subject = await this.presented.verify(
      params.subject_token,
      params.subject_token_type,
      'subject_token',
      client,
      (presented) => void (scopes = scopesFor(params.scope, presented, client)),
    );
    const act = actor === undefined ? subject.act : actorClaim(actor, subject.act);
    const access = await this.accessTokens.issue(client, {
      subject: subject.subject,
      ...(subject.username !== undefined ? { username: subject.username } : {}),
      scopes,
      ...(audience.length > 0 ? { audience } : {}),
      ...(act !== undefined ? { act } : {}),
    });
    return { ...bearerTokenResponse(access), issued_token_type: ACCESS_TOKEN_TYPE };
  }

  private checkPolicy(policy: TokenExchangePolicy, params: TokenExchangeParams): void {
    const types = new Set(policy.allowed_subject_token_types);
    if (!types.has(params.subject_token_type)) {
      throw new UnauthorizedClientError('subject_token_type not allowed for this client');
    }
    if (params.actor_token_type !== undefined && !types.has(params.actor_token_type)) {
      throw new UnauthorizedClientError('actor_token_type not allowed for this client');
    }
    if (params.actor_token === undefined && !policy.allow_impersonation) {
      throw new UnauthorizedClientError('impersonation is not allowed for this client');
    }
    if (params.actor_token !== undefined && !policy.allow_delegation) {
      throw new UnauthorizedClientError('delegation is not allowed for this client');
    }
  }

  /** The new token's audiences: the audience and resource asked for, each allowed by the policy. */
  private targets(policy: TokenExchangePolicy, params: TokenExchangeParams): string[] {
    const allowed = new Set([this.server.issuer, ...policy.allowed_audiences]);
    if (params.resource !== undefined && !isResourceUri(params.resource)) {
      throw new InvalidTargetError('the resource must be an absolute URI without a fragment');
    }
    for (const name of ['audience', 'resource'] as const) {
      const value = params[name];
      if (value !== undefined && !allowed.has(value)) {
        throw new InvalidTargetError(`the ${name} is not allowed for this client`, value);
      }
    }
    return [...new Set([params.audience, params.resource])].filter((value) => value !== undefined);
  }
}

/** Those requested (all allowed when none are), within the subject token's and the client's scopes. */
function scopesFor(
  requested: string | undefined,
  subject: PresentedToken,
  client: Client,
): string[] {
  const allowed =
    subject.scopes === undefined
      ? client.scopes
      : new Set(subject.scopes.filter((scope) => client.scopes.has(scope)));
  return grantedScopes(requested, allowed);
}

/** RFC 8693 §4.1: the current actor outermost, the prior chain nested inside. */
function actorClaim(actor: PresentedToken, prior: ActorClaim | undefined): ActorClaim {
  return {
    sub: actor.subject,
    ...(actor.issuer !== undefined ? { iss: actor.issuer } : {}),
    ...(prior !== undefined ? { act: prior } : {}),
  };
}

/** RFC 8707 §2: an absolute URI without a fragment. */
function isResourceUri(value: string): boolean {
  if (!URL.canParse(value)) return false;
  return !value.includes('#');
}
