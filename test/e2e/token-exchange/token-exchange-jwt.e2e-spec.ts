import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { expectOAuthError } from '../../support/expectations.js';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  ACCESS_TOKEN_TYPE,
  JWT_TOKEN_TYPE,
  TOKEN_EXCHANGE,
  clientToken,
  exchange,
  exchanger,
  policy,
} from './token-exchange-fixtures.js';

const PARTNER = 'https://partner.example.com';

describe('token exchange of trusted issuers JWTs (RFC 8693 token type jwt)', () => {
  let service: TestApp;
  let gateway: RegisteredClient;
  let accessTokensOnly: RegisteredClient;
  let privateKey: CryptoKey;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    service = await startTestApp();
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'partner-1', alg: 'ES256' };
    const trusted = await service.admin('POST', '/admin/trusted-issuers', {
      issuer: PARTNER,
      jwks: { keys: [publicJwk] },
      allowed_scopes: ['read', 'write'],
    });
    expect(trusted.status).toBe(201);
    const allTypes = policy({ allowed_subject_token_types: [ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE] });
    gateway = await exchanger(service, { token_exchange: allTypes });
    accessTokensOnly = await exchanger(service);
    jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
  });
  afterAll(() => service.close());

  /** A JWT of the trusted partner, for this service unless `aud` says otherwise. */
  const partnerJwt = (claims: Record<string, unknown> = {}, aud: string = service.issuer) =>
    new SignJWT({ scope: 'read', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .setIssuer(PARTNER)
      .setSubject('partner-user-1')
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(privateKey);

  it('when a trusted issuer JWT is exchanged then the new access token is for its subject, within its scope', async () => {
    const config = await discoverAs(service, gateway);
    const tokens = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE, {
      subject_token: await partnerJwt(),
      subject_token_type: JWT_TOKEN_TYPE,
    });
    expect(tokens.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    expect(tokens.scope).toBe('read');
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: service.issuer,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: 'partner-user-1',
      aud: service.issuer,
      client_id: gateway.client_id,
      scope: 'read',
    });
    expect(payload.act).toBeUndefined();
  });

  it('when a trusted issuer JWT is the actor then act names its subject and issuer', async () => {
    const config = await discoverAs(service, gateway);
    const tokens = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE, {
      subject_token: await clientToken(service, gateway, 'read'),
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: await partnerJwt(),
      actor_token_type: JWT_TOKEN_TYPE,
    });
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: service.issuer });
    expect(payload.sub).toBe(gateway.client_id);
    expect(payload.act).toEqual({ sub: 'partner-user-1', iss: PARTNER });
  });

  it('when the JWT is addressed to the requesting client then it is accepted', async () => {
    const result = await exchange(service, gateway, {
      subject_token: await partnerJwt({}, gateway.client_id),
      subject_token_type: JWT_TOKEN_TYPE,
    });
    expect(result.status).toBe(200);
  });

  it('when the same JWT is exchanged twice then the second gets invalid_grant (single use by jti)', async () => {
    const subjectToken = await partnerJwt();
    const params = { subject_token: subjectToken, subject_token_type: JWT_TOKEN_TYPE };
    expect((await exchange(service, gateway, params)).status).toBe(200);
    expectOAuthError(
      await exchange(service, gateway, params),
      400,
      'invalid_grant',
      'the subject_token was already used: its jti has been seen before',
    );
  });

  it('when a refused scope is asked for then invalid_scope, and the JWT stays usable', async () => {
    const subjectToken = await partnerJwt();
    const params = { subject_token: subjectToken, subject_token_type: JWT_TOKEN_TYPE };
    expectOAuthError(
      await exchange(service, gateway, { ...params, scope: 'write' }),
      400,
      'invalid_scope',
      'scope not allowed: write',
    );
    expect((await exchange(service, gateway, params)).status).toBe(200);
  });

  it('when the JWT is for another audience then invalid_grant', async () => {
    expectOAuthError(
      await exchange(service, gateway, {
        subject_token: await partnerJwt({}, 'https://elsewhere.example.com'),
        subject_token_type: JWT_TOKEN_TYPE,
      }),
      400,
      'invalid_grant',
      'the subject_token is not meant for this server: aud must be its issuer or token endpoint',
    );
  });

  it('when the JWT is from an issuer that is not trusted then invalid_grant', async () => {
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .setIssuer('https://stranger.example.com')
      .setSubject('x')
      .setAudience(service.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(privateKey);
    expectOAuthError(
      await exchange(service, gateway, {
        subject_token: foreign,
        subject_token_type: JWT_TOKEN_TYPE,
      }),
      400,
      'invalid_grant',
      'the subject_token is from an issuer that is not trusted',
    );
  });

  it('when the client policy allows only access tokens then a JWT is unauthorized_client', async () => {
    expectOAuthError(
      await exchange(service, accessTokensOnly, {
        subject_token: await partnerJwt(),
        subject_token_type: JWT_TOKEN_TYPE,
      }),
      400,
      'unauthorized_client',
      'subject_token_type not allowed for this client',
    );
  });
});
