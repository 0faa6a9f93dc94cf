import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';

describe('client_credentials grant (RFC 6749 §4.4)', () => {
  let service: TestApp;
  let client: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    client = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read write',
    });
  });
  afterAll(() => service.close());

  it('when openid-client asks with client_secret_basic then it gets a JWT access token that verifies against the served JWKS', async () => {
    const config = await discoverAs(service, client);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('read');
    expect(tokens.refresh_token).toBeUndefined();

    const jwks = createRemoteJWKSet(new URL(`${service.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: service.issuer,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({
      sub: client.client_id,
      client_id: client.client_id,
      scope: 'read',
      aud: service.issuer,
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(typeof payload.jti).toBe('string');
  });
});
