import { Injectable } from '@nestjs/common';
import type { Client } from '../clients/client.js';
import { ClientsService } from '../clients/clients.service.js';
import { normalizeResponseType } from '../clients/response-types.js';
import {
  InvalidRequestError,
  InvalidScopeError,
  type OAuthError,
  RequestNotSupportedError,
  RequestUriNotSupportedError,
  UnauthorizedClientError,
  UnsupportedResponseTypeError,
} from '../common/oauth/oauth-error.js';
import { parseScope } from '../tokens/scopes.js';
import {
  AuthorizationPageError,
  AuthorizationRedirectError,
  type AuthorizationRequest,
  type ResponseMode,
  type ResponseTarget,
} from './authorization-request.js';
import { ResponseTypeRegistry } from './response-parts/response-type.registry.js';

const RESPONSE_MODES: readonly ResponseMode[] = ['query', 'fragment', 'form_post'];
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);
/** RFC 7636 §4.2: an S256 challenge is the base64url of a SHA-256, 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_VALUE_LENGTH = 2000;

/**
 * Checks an authorization request in the order the specs require: first the
 * client and redirect URI (failures are shown as a page and never
 * redirected), then everything else (failures go back to the redirect URI,
 * with state, in the response mode).
 */
@Injectable()
export class AuthorizationRequestValidator {
  constructor(
    private readonly clients: ClientsService,
    private readonly responseTypes: ResponseTypeRegistry,
  ) {}

  async validate(
    raw: Readonly<Record<string, unknown>>,
  ): Promise<{ client: Client; request: AuthorizationRequest }> {
    const params = singleValued(raw);
    const client = await this.findClient(params.client_id);
    const { redirectUri, redirectUriGiven } = redirectUriOf(client, params);

    const responseType =
      params.response_type === undefined ? undefined : normalizeResponseType(params.response_type);
    const target: ResponseTarget = {
      redirectUri,
      responseMode: responseModeFor(params.response_mode, responseType),
      // An over-long state is not echoed (it is refused below): it would make the redirect's
      // Location header larger than user agents and proxies accept.
      state:
        params.state !== undefined && params.state.length <= MAX_VALUE_LENGTH
          ? params.state
          : undefined,
    };
    const fail = (error: OAuthError) => new AuthorizationRedirectError(error, target);

    if (params.request !== undefined)
      throw fail(new RequestNotSupportedError('the request parameter is not supported'));
    if (params.request_uri !== undefined) {
      throw fail(new RequestUriNotSupportedError('the request_uri parameter is not supported'));
    }
    for (const [name, value] of Object.entries(params)) {
      if (value.length > MAX_VALUE_LENGTH)
        throw fail(new InvalidRequestError(`parameter ${name} is too long`));
    }
    if (responseType === undefined)
      throw fail(new InvalidRequestError('response_type is required'));
    if (!this.responseTypes.supports(responseType)) {
      throw fail(
        new UnsupportedResponseTypeError(
          `response_type '${params.response_type}' is not supported`,
        ),
      );
    }
    if (!client.metadata.response_types.includes(responseType)) {
      throw fail(
        new UnauthorizedClientError(
          `the client is not registered for response_type '${responseType}'`,
        ),
      );
    }
    const responseMode = checkResponseMode(params.response_mode, responseType, fail);

    const scopes = parseScope(params.scope);
    const refused = scopes.filter((scope) => !client.scopes.has(scope));
    if (refused.length > 0)
      throw fail(new InvalidScopeError(`scope not allowed: ${refused.join(' ')}`));
    const openid = scopes.includes('openid');
    const returnsIdToken = responseType.split(' ').includes('id_token');
    if (returnsIdToken && !openid) {
      throw fail(new InvalidRequestError('response types with id_token need the openid scope'));
    }
    // OpenID Connect Core §3.2.2.1, §3.3.2.11: nonce is required when tokens come from the authorization endpoint.
    if (openid && responseType !== 'code' && params.nonce === undefined) {
      throw fail(new InvalidRequestError('nonce is required for implicit and hybrid flows'));
    }

    const codeChallenge = checkPkce(client, responseType, params, fail);
    const prompt = parseScope(params.prompt);
    if (prompt.some((value) => !PROMPTS.has(value)))
      throw fail(new InvalidRequestError('prompt has an unknown value'));
    if (prompt.includes('none') && prompt.length > 1) {
      throw fail(new InvalidRequestError('prompt=none cannot be combined with other values'));
    }
    let maxAge = client.metadata.default_max_age;
    if (params.max_age !== undefined) {
      if (!/^\d{1,9}$/.test(params.max_age))
        throw fail(new InvalidRequestError('max_age must be a non-negative integer'));
      maxAge = Number(params.max_age);
    }

    return {
      client,
      request: {
        clientId: client.clientId,
        redirectUri,
        redirectUriGiven,
        responseType,
        responseMode,
        scopes,
        state: params.state,
        nonce: params.nonce,
        codeChallenge,
        prompt,
        maxAge,
        loginHint: params.login_hint,
      },
    };
  }

  private async findClient(clientId: string | undefined): Promise<Client> {
    if (clientId === undefined) throw new AuthorizationPageError('client_id is required');
    const client = await this.clients.find(clientId);
    if (client === undefined) throw new AuthorizationPageError('the client is unknown');
    return client;
  }
}

/** Repeated parameters are refused (RFC 6749 §3.1); empty ones are treated as absent. */
function singleValued(raw: Readonly<Record<string, unknown>>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) throw new AuthorizationPageError(`parameter ${name} is repeated`);
    if (typeof value === 'string' && value !== '') params[name] = value;
  }
  return params;
}

/** RFC 6749 §3.1.2.3 and OpenID Connect Core §3.1.2.1: exact match against a registered URI. */
function redirectUriOf(
  client: Client,
  params: Record<string, string>,
): { redirectUri: string; redirectUriGiven: boolean } {
  const registered = client.metadata.redirect_uris;
  const given = params.redirect_uri;
  if (given === undefined) {
    // Only a plain OAuth request of a client with a single registered URI may leave it out.
    if (registered.length === 1 && !parseScope(params.scope).includes('openid')) {
      return { redirectUri: registered[0]!, redirectUriGiven: false };
    }
    throw new AuthorizationPageError('redirect_uri is required');
  }
  if (!registered.includes(given)) {
    throw new AuthorizationPageError(
      'redirect_uri does not match any URI registered for the client',
    );
  }
  return { redirectUri: given, redirectUriGiven: true };
}

/**
 * The mode errors are sent in: the requested one when it is a known mode, else
 * the default of the response type: fragment when it names a token, else query
 * (RFC 6749 §4.1.2.1; an unknown response type like "magic" returns no token).
 */
function responseModeFor(
  requested: string | undefined,
  responseType: string | undefined,
): ResponseMode {
  const tokens =
    responseType !== undefined &&
    responseType.split(' ').some((word) => word === 'token' || word === 'id_token');
  if (requested !== undefined && (RESPONSE_MODES as readonly string[]).includes(requested)) {
    if (requested !== 'query' || !tokens) return requested as ResponseMode;
  }
  return tokens ? 'fragment' : 'query';
}

/** OAuth 2.0 Multiple Response Types §5: tokens never travel in the query. */
function checkResponseMode(
  requested: string | undefined,
  responseType: string,
  fail: (error: OAuthError) => Error,
): ResponseMode {
  if (requested === undefined) return responseType === 'code' ? 'query' : 'fragment';
  if (!(RESPONSE_MODES as readonly string[]).includes(requested)) {
    throw fail(new InvalidRequestError(`response_mode '${requested}' is not supported`));
  }
  if (requested === 'query' && responseType !== 'code') {
    throw fail(
      new InvalidRequestError(
        'response_mode=query is not allowed for response types that return tokens',
      ),
    );
  }
  return requested as ResponseMode;
}

/** RFC 7636: S256 only; required for public clients and clients with require_pkce. */
function checkPkce(
  client: Client,
  responseType: string,
  params: Record<string, string>,
  fail: (error: OAuthError) => Error,
): string | undefined {
  const challenge = params.code_challenge;
  if (!responseType.split(' ').includes('code')) return undefined;
  if (challenge === undefined) {
    if (client.isPublic || client.metadata.require_pkce) {
      throw fail(new InvalidRequestError('code_challenge is required (PKCE, S256)'));
    }
    return undefined;
  }
  // RFC 7636 §4.3: an absent method means plain, which this server does not accept.
  if ((params.code_challenge_method ?? 'plain') !== 'S256') {
    throw fail(new InvalidRequestError('code_challenge_method must be S256'));
  }
  if (!S256_CHALLENGE.test(challenge)) {
    throw fail(new InvalidRequestError('code_challenge must be 43 base64url characters'));
  }
  return challenge;
}
