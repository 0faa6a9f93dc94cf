import { constants, createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { KeyEncryption } from '../../../src/keys/key-encryption.js';
import { KEY_ENCRYPTION_SECRET, startTestApp, type TestApp } from '../../support/test-app.js';

const PASSWORD = 'correct horse battery staple';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** node:crypto's way to sign each algorithm (RFC 7518 §3, RFC 8037). */
const METHODS: Record<string, [string | null, Record<string, unknown>]> = {
  ES256: ['sha256', { dsaEncoding: 'ieee-p1363' }],
  RS256: ['sha256', {}],
  PS256: ['sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
  EdDSA: [null, {}],
};

/**
 * Tokens signed with the service's own private keys (read from its database
 * and decrypted with its KEY_ENCRYPTION_SECRET, as only an insider could)
 * that are still not access tokens of this service: what the signature
 * cannot tell, the claim and header checks must. Each is presented where
 * access tokens are accepted: introspection, userinfo, the admin API.
 */
describe('JWTs signed with the service key that are not valid access tokens', () => {
  let service: TestApp;
  let resourceServer: { client_id: string; client_secret?: string };
  /** The service's signing keys by algorithm: kid and private key. */
  const keys = new Map<string, { kid: string; privateKey: KeyObject }>();
  let genuineHeader: Record<string, unknown>;
  let genuineClaims: Record<string, unknown>;
  let adminClaims: Record<string, unknown>;

  const signed = (
    header: Record<string, unknown>,
    claims: Record<string, unknown>,
    keyAlg = 'ES256',
  ) => {
    const input = `${b64(header)}.${b64(claims)}`;
    const [digest, options] = METHODS[keyAlg]!;
    const signature = sign(digest, Buffer.from(input), {
      key: keys.get(keyAlg)!.privateKey,
      ...options,
    });
    return `${input}.${signature.toString('base64url')}`;
  };

  const introspect = (token: string) =>
    service.postForm(
      '/introspect',
      { token },
      { basic: [resourceServer.client_id, resourceServer.client_secret!] },
    );
  const withBearer = (path: string, token: string) =>
    service.request('GET', path, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    service = await startTestApp();
    await service.createUser({ username: 'alice', password: PASSWORD });
    const rp = await service.createClient({
      grant_types: ['password'],
      scope: 'openid profile',
    });
    resourceServer = await service.createClient({ grant_types: ['client_credentials'] });
    const tokens = await service.postForm(
      '/token',
      { grant_type: 'password', username: 'alice', password: PASSWORD, scope: 'openid profile' },
      { basic: [rp.client_id, rp.client_secret!] },
    );
    const genuine = tokens.body.access_token as string;
    genuineHeader = decodeProtectedHeader(genuine) as Record<string, unknown>;
    genuineClaims = decodeJwt(genuine) as Record<string, unknown>;
    adminClaims = decodeJwt(await service.adminToken()) as Record<string, unknown>;

    const encryption = new KeyEncryption(KEY_ENCRYPTION_SECRET);
    const rows = await service.db.query<{
      kid: string;
      alg: string;
      encrypted_private_key: string;
    }>("SELECT kid, alg, encrypted_private_key FROM signing_key WHERE state = 'current'");
    for (const row of rows) {
      keys.set(row.alg, {
        kid: row.kid,
        privateKey: createPrivateKey(encryption.decrypt(row.encrypted_private_key)),
      });
    }
    expect([...keys.keys()].sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
    expect(genuineHeader).toEqual({ alg: 'ES256', kid: keys.get('ES256')!.kid, typ: 'at+jwt' });
  });
  afterAll(() => service.close());

  it('when the genuine header and claims are signed again with the key then the token is accepted (the control)', async () => {
    const token = signed(genuineHeader, genuineClaims);
    expect((await introspect(token)).body).toMatchObject({ active: true, sub: genuineClaims.sub });
    expect((await withBearer('/userinfo', token)).status).toBe(200);
    const admin = signed(genuineHeader, adminClaims);
    expect((await withBearer('/admin/keys', admin)).status).toBe(200);
  });

  it.each([
    ['typ JWT (an ID token type)', { typ: 'JWT' }],
    ['no typ', { typ: undefined }],
    ['typ application/jwt', { typ: 'application/jwt' }],
  ])('when the header has %s then it is refused everywhere', async (_, change) => {
    const header = JSON.parse(JSON.stringify({ ...genuineHeader, ...change }));
    await expectRefusedEverywhere(signed(header, genuineClaims), signed(header, adminClaims));
  });

  it('when the header says application/at+jwt (RFC 9068 §4 allows it) then it is accepted', async () => {
    const token = signed({ ...genuineHeader, typ: 'application/at+jwt' }, genuineClaims);
    expect((await introspect(token)).body).toMatchObject({ active: true });
  });

  it.each([
    ['expired now', { exp: 'now' }],
    ['expired an hour ago', { exp: 'hour ago' }],
    ['another issuer', { iss: 'https://evil.example' }],
    ['an issuer with a trailing slash', { iss: 'slash' }],
    ['a not-before in the future', { nbf: 'future' }],
    ['no jti', { jti: undefined }],
    ['no sub', { sub: undefined }],
    ['no client_id', { client_id: undefined }],
    ['no iat', { iat: undefined }],
    ['exp as a string', { exp: 'string' }],
  ])('when the claims have %s then the token is refused everywhere', async (_, change) => {
    const now = Math.floor(Date.now() / 1000);
    const adjust = (claims: Record<string, unknown>) => {
      const result: Record<string, unknown> = { ...claims };
      for (const [name, value] of Object.entries(change)) {
        if (value === undefined) delete result[name];
        else if (value === 'now') result[name] = now;
        else if (value === 'hour ago') result[name] = now - 3600;
        else if (value === 'future') result[name] = now + 600;
        else if (value === 'slash') result[name] = `${service.issuer}/`;
        else if (value === 'string') result[name] = String(now + 600);
        else result[name] = value;
      }
      return result;
    };
    await expectRefusedEverywhere(
      signed(genuineHeader, adjust(genuineClaims)),
      signed(genuineHeader, adjust(adminClaims)),
    );
  });

  it("when one of the service's keys signs under another key's kid or algorithm then it is refused everywhere", async () => {
    const es256Kid = keys.get('ES256')!.kid;
    const rs256Kid = keys.get('RS256')!.kid;
    for (const [header, keyAlg] of [
      // The RS256 key's signature under the ES256 kid, with the header saying RS256 or ES256.
      [{ alg: 'RS256', kid: es256Kid, typ: 'at+jwt' }, 'RS256'],
      [{ alg: 'ES256', kid: rs256Kid, typ: 'at+jwt' }, 'ES256'],
      // The RS256 key with PS256 padding, under its own kid.
      [{ alg: 'PS256', kid: rs256Kid, typ: 'at+jwt' }, 'RS256'],
      // A critical extension, with the right key.
      [{ ...genuineHeader, crit: ['exp'] }, 'ES256'],
    ] as const) {
      await expectRefusedEverywhere(
        signed(header, genuineClaims, keyAlg),
        signed(header, adminClaims, keyAlg),
      );
    }
  });

  async function expectRefusedEverywhere(userToken: string, adminToken: string): Promise<void> {
    expect((await introspect(userToken)).body).toEqual({ active: false });
    const userinfo = await withBearer('/userinfo', userToken);
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await withBearer('/admin/keys', adminToken)).status).toBe(401);
  }
});
