import { Client } from '../../clients/client.js';
import { CLIENT_DEFAULTS, type ClientMetadata } from '../../clients/client-metadata.js';
import type { AccessTokenService } from '../../tokens/access-token.service.js';
import type { AccessTokenSubject } from '../../tokens/token-claims.js';
import type { PresentedToken, PresentedTokenVerifier } from './presented-token.verifier.js';
import { TokenExchangeGrant } from './token-exchange.grant.js';
import { ACCESS_TOKEN_TYPE } from './token-types.js';

const ISSUER = 'https://id.example.com';
const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The grant with the token services faked: what it asks to mint is recorded. */
function setUp(tokens: Record<string, PresentedToken>) {
  const minted: AccessTokenSubject[] = [];
  const accessTokens = {
    issue: async (_client: Client, subject: AccessTokenSubject) => {
      minted.push(subject);
      return { token: 'new', expiresIn: 60, claims: { scope: subject.scopes.join(' ') } };
    },
  } as unknown as AccessTokenService;
  const presented = {
    supports: (type: string) => type === ACCESS_TOKEN_TYPE,
    verify: async (
      token: string,
      _type: string,
      _role: string,
      _client: Client,
      beforeUse?: (presented: PresentedToken) => void,
    ) => {
      beforeUse?.(tokens[token]!);
      return tokens[token]!;
    },
  } as unknown as PresentedTokenVerifier;
  const grant = new TokenExchangeGrant(accessTokens, presented, { issuer: ISSUER, port: 443 });
  const metadata: ClientMetadata = {
    ...CLIENT_DEFAULTS,
    grant_types: [GRANT],
    response_types: [],
    redirect_uris: [],
    post_logout_redirect_uris: [],
    allowed_cors_origins: [],
    scope: 'read write',
    token_exchange: {
      allowed_subject_token_types: [ACCESS_TOKEN_TYPE],
      allowed_audiences: ['https://api.example.com'],
      allow_impersonation: true,
      allow_delegation: true,
    },
  };
  const client = new Client('gateway', null, metadata, 0);
  const exchange = (params: Record<string, string>) =>
    grant.handle({ params: { subject_token_type: ACCESS_TOKEN_TYPE, ...params } }, client);
  return { minted, exchange };
}

describe('TokenExchangeGrant', () => {
  const alice: PresentedToken = { subject: 'alice', scopes: ['read', 'write', 'admin'] };

  it('when there is no actor then the subject is minted with its scopes within the client, and no act', async () => {
    const { minted, exchange } = setUp({ alice });
    const response = await exchange({ subject_token: 'alice' });
    expect(minted).toEqual([{ subject: 'alice', scopes: ['read', 'write'] }]);
    expect(response).toEqual({
      access_token: 'new',
      token_type: 'Bearer',
      expires_in: 60,
      scope: 'read write',
      issued_token_type: ACCESS_TOKEN_TYPE,
    });
  });

  it('when the subject token already names an actor then the new actor wraps it (§4.1)', async () => {
    const { minted, exchange } = setUp({
      delegated: { ...alice, act: { sub: 'first' } },
      second: { subject: 'second', scopes: [] },
    });
    await exchange({
      subject_token: 'delegated',
      actor_token: 'second',
      actor_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(minted[0]!.act).toEqual({ sub: 'second', act: { sub: 'first' } });
  });

  it('when the actor comes from another issuer then act carries its iss', async () => {
    const { minted, exchange } = setUp({
      alice,
      partner: { subject: 'svc', issuer: 'https://partner.example.com', scopes: undefined },
    });
    await exchange({
      subject_token: 'alice',
      actor_token: 'partner',
      actor_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(minted[0]!.act).toEqual({ sub: 'svc', iss: 'https://partner.example.com' });
  });

  it('when audience and resource are the same then the token has that one audience', async () => {
    const { minted, exchange } = setUp({ alice });
    await exchange({
      subject_token: 'alice',
      audience: 'https://api.example.com',
      resource: 'https://api.example.com',
    });
    expect(minted[0]!.audience).toEqual(['https://api.example.com']);
  });

  it('when the issuer itself is the audience then no policy entry is needed', async () => {
    const { minted, exchange } = setUp({ alice });
    await exchange({ subject_token: 'alice', audience: ISSUER });
    expect(minted[0]!.audience).toEqual([ISSUER]);
  });
});
