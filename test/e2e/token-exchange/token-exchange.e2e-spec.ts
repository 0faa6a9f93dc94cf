import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { JSON_CONTENT_TYPE } from '../../support/expectations.js';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import {
  ACCESS_TOKEN_TYPE,
  PASSWORD,
  TOKEN_EXCHANGE,
  clientToken,
  exchange,
  exchanger,
  userToken,
} from './token-exchange-fixtures.js';

describe('token exchange (RFC 8693)', () => {
  let service: TestApp;
  let alice: { id: string; username: string };
  /** The front end that signs alice in (password grant). */
  let webApp: RegisteredClient;
  /** Exchanges alice's tokens, for itself or as her delegate. */
  let gateway: RegisteredClient;
  /** A second hop of delegation. */
  let batch: RegisteredClient;
  /** Exchanges into reference tokens. */
  let referenceExchanger: RegisteredClient;
  /** A client whose id is an allowed audience: it may exchange tokens meant for it. */
  let ordersApi: RegisteredClient;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    service = await startTestApp();
    alice = await service.createUser({ username: 'alice', password: PASSWORD });
    webApp = await service.createClient({ grant_types: ['password'], scope: 'profile read write' });
    gateway = await exchanger(service);
    batch = await exchanger(service);
    referenceExchanger = await exchanger(service, { access_token_format: 'reference' });
    ordersApi = await exchanger(service, { client_id: 'orders-api' });
    jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
  });
  afterAll(() => service.close());

  const verified = async (token: string): Promise<JWTPayload> =>
    (await jwtVerify(token, jwks, { issuer: service.issuer, typ: 'at+jwt' })).payload;

  it('when a client exchanges a user access token without an actor then it gets a JWT for the user (impersonation)', async () => {
    const subjectToken = await userToken(service, webApp, 'alice', 'profile read write');
    const config = await discoverAs(service, gateway);
    const tokens = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE, {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(tokens.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('read write');
    expect(tokens.refresh_token).toBeUndefined();

    const payload = await verified(tokens.access_token);
    expect(payload).toEqual({
      iss: service.issuer,
      sub: alice.id,
      aud: service.issuer,
      client_id: gateway.client_id,
      scope: 'read write',
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: payload.iat! + 3600,
    });
  });

  it('when the exchange succeeds then the response body is RFC 8693 §2.2.1 exactly, not cached', async () => {
    const subjectToken = await userToken(service, webApp, 'alice', 'read');
    const result = await exchange(service, gateway, {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    expect({ status: result.status, body: result.body }).toEqual({
      status: 200,
      body: {
        access_token: expect.any(String),
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'read',
      },
    });
    expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    expect(result.headers.get('cache-control')).toBe('no-store');
  });

  it('when a client exchanges with its own token as actor_token then the new token names it in act (delegation)', async () => {
    const subjectToken = await userToken(service, webApp, 'alice', 'read write');
    const config = await discoverAs(service, gateway);
    const tokens = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE, {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: await clientToken(service, gateway),
      actor_token_type: ACCESS_TOKEN_TYPE,
      scope: 'read',
    });
    expect(tokens.scope).toBe('read');
    expect(await verified(tokens.access_token)).toMatchObject({
      sub: alice.id,
      client_id: gateway.client_id,
      scope: 'read',
      act: { sub: gateway.client_id },
    });
  });

  it('when a delegated token is delegated again then the prior actor is nested inside act (§4.1)', async () => {
    const subjectToken = await userToken(service, webApp, 'alice', 'read write');
    const first = await exchange(service, gateway, {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: await clientToken(service, gateway),
      actor_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(first.status).toBe(200);

    const config = await discoverAs(service, batch);
    const second = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE, {
      subject_token: first.body.access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: await clientToken(service, batch),
      actor_token_type: ACCESS_TOKEN_TYPE,
    });
    const payload = await verified(second.access_token);
    expect(payload.sub).toBe(alice.id);
    expect(payload.client_id).toBe(batch.client_id);
    expect(payload.act).toEqual({ sub: batch.client_id, act: { sub: gateway.client_id } });

    // Impersonating with a delegated token keeps its actor chain: delegation is not laundered away.
    const impersonated = await exchange(service, batch, {
      subject_token: second.access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(decodeJwt(impersonated.body.access_token).act).toEqual(payload.act);
  });

  it('when the client is registered for reference tokens then the exchange issues one, and introspection shows act and aud', async () => {
    const subjectToken = await userToken(service, webApp, 'alice', 'read');
    const config = await discoverAs(service, referenceExchanger);
    const tokens = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE, {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: await clientToken(service, referenceExchanger),
      actor_token_type: ACCESS_TOKEN_TYPE,
      audience: 'https://api.example.com',
    });
    expect(tokens.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    expect(tokens.access_token).not.toContain('.');

    const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
    expect({ ...introspection }).toEqual({
      active: true,
      iss: service.issuer,
      sub: alice.id,
      aud: 'https://api.example.com',
      client_id: referenceExchanger.client_id,
      scope: 'read',
      act: { sub: referenceExchanger.client_id },
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: expect.any(Number),
      token_type: 'Bearer',
    });
  });

  it('when an audience and a resource are requested then the new token is for both', async () => {
    const subjectToken = await userToken(service, webApp, 'alice', 'read');
    const config = await discoverAs(service, gateway);
    const audienceOnly = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE, {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: 'orders-api',
    });
    expect((await verified(audienceOnly.access_token)).aud).toBe('orders-api');

    const both = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE, {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: 'orders-api',
      resource: 'https://api.example.com',
    });
    expect((await verified(both.access_token)).aud).toEqual([
      'orders-api',
      'https://api.example.com',
    ]);
  });

  it('when a token is meant for a client then that client may exchange it, and the result is for this service again', async () => {
    const subjectToken = await userToken(service, webApp, 'alice', 'read');
    const forOrders = await exchange(service, gateway, {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: 'orders-api',
    });
    expect(forOrders.status).toBe(200);

    const config = await discoverAs(service, ordersApi);
    const tokens = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE, {
      subject_token: forOrders.body.access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(await verified(tokens.access_token)).toMatchObject({
      sub: alice.id,
      aud: service.issuer,
      client_id: 'orders-api',
    });
  });

  it('when discovery is read then the token exchange grant is listed', async () => {
    const result = await service.request('GET', '/.well-known/openid-configuration');
    expect(result.body.grant_types_supported).toContain(TOKEN_EXCHANGE);
  });
});
