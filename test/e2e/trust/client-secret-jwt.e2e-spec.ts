import { type JWTPayload, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { expectOAuthError, sha256, withoutWrites } from '../../support/expectations.js';
import { discoverAs } from '../../support/oidc-client.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import { assertionClaims } from './assertions.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('client_secret_jwt client authentication (RFC 7523 §2.2, OpenID Connect Core §9)', () => {
  let service: TestApp;
  let client: RegisteredClient;

  beforeAll(async () => {
    service = await startTestApp();
    client = await service.createClient({
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'client_secret_jwt',
    });
  });
  afterAll(() => service.close());

  const stored = async (clientId: string) =>
    (
      await service.db.query<{ secret_hash: string | null; encrypted_secret: string | null }>(
        'SELECT secret_hash, encrypted_secret FROM client WHERE client_id = $1',
        [clientId],
      )
    )[0]!;
  const hs256 = (secret: string, claims: JWTPayload, alg = 'HS256') =>
    new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
  const claims = (overrides: JWTPayload = {}) =>
    assertionClaims(client.client_id, client.client_id, service.issuer, overrides);
  const tokenWith = (assertion: string, path = '/token', extra: Record<string, string> = {}) =>
    service.postForm(path, {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
      ...extra,
    });

  it('when a client is registered for client_secret_jwt then its secret is shown once, hashed and kept encrypted, never in clear', async () => {
    const row = await stored(client.client_id);

    expect(client.client_secret).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{43}$/));
    expect(row.secret_hash).toBe(sha256(client.client_secret!));
    expect(row.encrypted_secret).toMatch(/^v1\./);
    expect(row.encrypted_secret).not.toContain(client.client_secret);
    const read = await service.admin('GET', `/admin/clients/${client.client_id}`);
    expect(JSON.stringify(read.body)).not.toContain(client.client_secret);
  });

  it('when openid-client authenticates with ClientSecretJwt then it gets a token and may revoke it', async () => {
    const config = await discoverAs(service, client, oidc.ClientSecretJwt(client.client_secret!));

    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' });
    await oidc.tokenRevocation(config, tokens.access_token);

    expect(tokens.scope).toBe('read');
  });

  it('when the assertion is HS512 and names the revocation endpoint as aud then revocation accepts it', async () => {
    const assertion = await hs256(
      client.client_secret!,
      claims({ aud: `${service.issuer}/revoke` }),
      'HS512',
    );

    const result = await tokenWith(assertion, '/revoke', { token: 'unknown' });

    expect(result.status).toBe(200);
  });

  it('when the assertion is keyed with a wrong secret then invalid_client', async () => {
    const result = await withoutWrites(service.db, async () =>
      tokenWith(await hs256('not-the-secret', claims())),
    );

    expectOAuthError(
      result,
      400,
      'invalid_client',
      'the client assertion has an invalid signature',
    );
  });

  it('when a client assertion is used a second time then invalid_client', async () => {
    const assertion = await hs256(client.client_secret!, claims());
    expect((await tokenWith(assertion)).status).toBe(200);

    const second = await withoutWrites(service.db, () => tokenWith(assertion));

    expectOAuthError(
      second,
      400,
      'invalid_client',
      'the client assertion was already used: its jti has been seen before',
    );
  });

  it('when iss and sub differ then invalid_client', async () => {
    const result = await withoutWrites(service.db, async () =>
      tokenWith(await hs256(client.client_secret!, claims({ sub: 'other' }))),
    );

    expectOAuthError(
      result,
      400,
      'invalid_client',
      'the client assertion must have iss and sub both equal to the client_id',
    );
  });

  it('when the secret is rotated then the old one stops working and the new one works', async () => {
    const rotated = await service.admin('POST', `/admin/clients/${client.client_id}/secret`);
    const secret = rotated.body.client_secret as string;

    const old = await tokenWith(await hs256(client.client_secret!, claims()));
    const fresh = await tokenWith(await hs256(secret, claims()));

    expectOAuthError(old, 400, 'invalid_client', 'the client assertion has an invalid signature');
    expect(fresh.status).toBe(200);
    expect((await stored(client.client_id)).secret_hash).toBe(sha256(secret));
    client = { ...client, client_secret: secret };
  });

  it('when a client_secret_basic client changes to client_secret_jwt then it gets a new secret, and back again keeps it but drops the encrypted copy', async () => {
    const basic = await service.createClient({ grant_types: ['client_credentials'] });

    const toJwt = await service.admin('PATCH', `/admin/clients/${basic.client_id}`, {
      token_endpoint_auth_method: 'client_secret_jwt',
    });
    const jwtSecret = toJwt.body.client_secret as string;
    const toBasic = await service.admin('PATCH', `/admin/clients/${basic.client_id}`, {
      token_endpoint_auth_method: 'client_secret_basic',
    });

    expect(jwtSecret).toEqual(expect.any(String));
    expect(jwtSecret).not.toBe(basic.client_secret);
    expect(toBasic.body.client_secret).toBeUndefined();
    expect(await stored(basic.client_id)).toEqual({
      secret_hash: sha256(jwtSecret),
      encrypted_secret: null,
    });
  });

  it('when a private_key_jwt client sends an HMAC assertion then invalid_client', async () => {
    const other = await service.createClient({
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: 'https://app.example.com/jwks.json',
    });

    const result = await withoutWrites(service.db, async () =>
      tokenWith(
        await hs256('guessed', assertionClaims(other.client_id, other.client_id, service.issuer)),
      ),
    );

    // Checked against decoy keys: the same refusal as an unknown client's or a wrong secret's.
    expectOAuthError(
      result,
      400,
      'invalid_client',
      'the client assertion has an invalid signature',
    );
  });
});
