import { Injectable, Module } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Client } from '../../../src/clients/client.js';
import { InvalidRequestError } from '../../../src/common/oauth/oauth-error.js';
import type { GrantHandler, TokenRequest } from '../../../src/grants/grant-handler.interface.js';
import { GrantType } from '../../../src/grants/grant-type.decorator.js';
import { AccessTokenService } from '../../../src/tokens/access-token.service.js';
import { bearerTokenResponse, type TokenResponse } from '../../../src/tokens/token-response.js';
import { TokensModule } from '../../../src/tokens/tokens.module.js';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import { createTestDatabase } from '../../support/test-database.js';

/** The grants the service lists without any extension module (implicit is the authorization endpoint's). */
const BUILT_IN_GRANTS = [
  'authorization_code',
  'client_credentials',
  'password',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'implicit',
];

const TOY_GRANT = 'urn:example:grant-type:toy';

/**
 * A toy extension grant (RFC 6749 §4.5): the client names a subject and gets
 * an access token for it. It lives outside GrantsModule and reaches the
 * token services only through what TokensModule exports.
 */
@GrantType()
@Injectable()
class EchoGrant implements GrantHandler {
  readonly grantType = TOY_GRANT;

  constructor(private readonly accessTokens: AccessTokenService) {}

  async handle(request: TokenRequest, client: Client): Promise<TokenResponse> {
    const subject = request.params.echo_subject;
    if (subject === undefined) throw new InvalidRequestError('echo_subject is required');
    const access = await this.accessTokens.issue(client, { subject, scopes: [...client.scopes] });
    return { ...bearerTokenResponse(access), echoed: subject };
  }
}

@Module({ imports: [TokensModule], providers: [EchoGrant] })
class ToyGrantModule {}

/** A second handler for a built-in grant type, which must stop start-up. */
@GrantType()
@Injectable()
class ShadowClientCredentialsGrant implements GrantHandler {
  readonly grantType = 'client_credentials';

  constructor(private readonly accessTokens: AccessTokenService) {}

  async handle(_request: TokenRequest, client: Client): Promise<TokenResponse> {
    return bearerTokenResponse(await this.accessTokens.issue(client, { subject: 'x', scopes: [] }));
  }
}

@Module({ imports: [TokensModule], providers: [ShadowClientCredentialsGrant] })
class ShadowGrantModule {}

describe('extension grants added by a Nest module (RFC 6749 §4.5)', () => {
  /** Started with ToyGrantModule. */
  let extended: TestApp;
  /** The same service without it. */
  let plain: TestApp;
  let toyClient: RegisteredClient;
  let otherClient: RegisteredClient;
  let plainClient: RegisteredClient;

  // The admin API's passport strategy is registered process-wide, so only the app started last
  // answers admin calls correctly: each app's clients are registered right after it starts, and the
  // test that starts a third app comes last.
  beforeAll(async () => {
    extended = await startTestApp({ imports: [ToyGrantModule] });
    toyClient = await extended.createClient({
      grant_types: [TOY_GRANT, 'client_credentials'],
      scope: 'read',
    });
    otherClient = await extended.createClient({ grant_types: ['client_credentials'] });
    plain = await startTestApp();
    plainClient = await plain.createClient({ grant_types: ['client_credentials'] });
  });
  afterAll(async () => {
    await extended?.close();
    await plain?.close();
  });

  it('when a client registered for the extension grant uses it then the handler issues its access token', async () => {
    const config = await discoverAs(extended, toyClient);
    const tokens = await oidc.genericGrantRequest(config, TOY_GRANT, {
      echo_subject: 'someone-else',
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('read');
    expect(tokens.echoed).toBe('someone-else');
    expect(tokens.refresh_token).toBeUndefined();

    const jwks = createRemoteJWKSet(new URL(`${extended.issuer}/jwks`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: extended.issuer,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: 'someone-else',
      client_id: toyClient.client_id,
      scope: 'read',
    });
  });

  it('when the service runs with the module then discovery lists the extension grant beside the built-in ones', async () => {
    const result = await extended.request('GET', '/.well-known/openid-configuration');
    expect(result.status).toBe(200);
    // Beside the built-in grants, those of the shipped extension modules (src/extensions).
    const withoutToy = await plain.request('GET', '/.well-known/openid-configuration');
    expect(withoutToy.body.grant_types_supported).toEqual(expect.arrayContaining(BUILT_IN_GRANTS));
    expect(new Set(result.body.grant_types_supported)).toEqual(
      new Set([...withoutToy.body.grant_types_supported, TOY_GRANT]),
    );
    const rfc8414 = await extended.request('GET', '/.well-known/oauth-authorization-server');
    expect(rfc8414.body.grant_types_supported).toEqual(result.body.grant_types_supported);
  });

  it('when the extension handler refuses its parameters then the shared pipeline renders the error', async () => {
    const result = await extended.postForm(
      '/token',
      { grant_type: TOY_GRANT },
      { basic: [toyClient.client_id, toyClient.client_secret!] },
    );
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'echo_subject is required' },
    });
    expect(result.headers.get('cache-control')).toBe('no-store');
  });

  it('when a client not registered for the extension grant uses it then unauthorized_client', async () => {
    const result = await extended.postForm(
      '/token',
      { grant_type: TOY_GRANT, echo_subject: 'someone-else' },
      { basic: [otherClient.client_id, otherClient.client_secret!] },
    );
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: {
        error: 'unauthorized_client',
        error_description: `the client is not allowed to use grant_type '${TOY_GRANT}'`,
      },
    });
  });

  it('when the service runs without the module then the grant is unsupported and discovery does not list it', async () => {
    const result = await plain.postForm(
      '/token',
      { grant_type: TOY_GRANT, echo_subject: 'someone-else' },
      { basic: [plainClient.client_id, plainClient.client_secret!] },
    );
    expect({ status: result.status, body: result.body }).toEqual({
      status: 400,
      body: {
        error: 'unsupported_grant_type',
        error_description: `grant_type '${TOY_GRANT}' is not supported`,
      },
    });

    const discovery = await plain.request('GET', '/.well-known/openid-configuration');
    expect(discovery.body.grant_types_supported).toEqual(expect.arrayContaining(BUILT_IN_GRANTS));
    expect(discovery.body.grant_types_supported).not.toContain(TOY_GRANT);
  });

  it('when the service runs without the module then a client cannot be registered for the grant', async () => {
    const result = await plain.admin('POST', '/admin/clients', { grant_types: [TOY_GRANT] });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      { pointer: '/grant_types', detail: `"${TOY_GRANT}" is not supported` },
    ]);
  });

  it('when a module provides a second handler for client_credentials then start-up fails naming the grant type', async () => {
    const db = await createTestDatabase();
    try {
      await expect(startTestApp({ db, imports: [ShadowGrantModule] })).rejects.toThrow(
        'Grant type "client_credentials" is provided twice: by ClientCredentialsGrant and ShadowClientCredentialsGrant',
      );
    } finally {
      await db.drop();
    }
  });
});
