import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import {
  expectProblem,
  JSON_CONTENT_TYPE,
  snapshot,
  withoutWrites,
} from '../../support/expectations.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';

const ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;
type Alg = (typeof ALGORITHMS)[number];

/** JWK members that carry private key material (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** What a retired key stays published for: 24 h plus 5 min of clock skew. */
const RETENTION_SECONDS = 24 * 3600 + 300;

/** Keys created at the same moment may be listed in either order. */
const byKid = (keys: Key[]) => [...keys].sort((a, b) => a.kid.localeCompare(b.kid));

interface Key {
  kid: string;
  alg: Alg;
  state: 'current' | 'next' | 'retired';
  public_jwk: JWK;
  created_at: number;
  activated_at?: number;
  retired_at?: number;
  retain_until?: number;
}

describe('admin API: /admin/keys and the published JWKS', () => {
  let service: TestApp;
  const clients = new Map<Alg, RegisteredClient>();

  beforeAll(async () => {
    service = await startTestApp();
    for (const alg of ALGORITHMS) {
      clients.set(
        alg,
        await service.createClient({
          grant_types: ['client_credentials'],
          access_token_signed_response_alg: alg,
          scope: 'read',
        }),
      );
    }
  });
  afterAll(() => service.close());

  const listKeys = async (): Promise<Key[]> => {
    const result = await service.admin('GET', '/admin/keys');
    expect(result.status).toBe(200);
    return result.body.items as Key[];
  };
  const published = async () =>
    ((await service.request('GET', '/jwks')).body as { keys: JWK[] }).keys;
  const keyOf = (keys: Key[], alg: Alg, state: Key['state']) =>
    keys.filter((key) => key.alg === alg && key.state === state);
  const tokenSignedWith = async (alg: Alg) => {
    const client = clients.get(alg)!;
    const result = await service.postForm(
      '/token',
      { grant_type: 'client_credentials' },
      { basic: [client.client_id, client.client_secret!] },
    );
    expect(result.status).toBe(200);
    return result.body.access_token as string;
  };
  const introspect = async (token: string) => {
    const client = clients.get('ES256')!;
    return (
      await service.postForm(
        '/introspect',
        { token },
        { basic: [client.client_id, client.client_secret!] },
      )
    ).body;
  };
  const verifyWithPublishedKeys = async (token: string) =>
    jwtVerify(token, createLocalJWKSet({ keys: await published() }), {
      issuer: service.issuer,
      typ: 'at+jwt',
    });

  it('when the keys are listed then each algorithm has one current and one next key, public parts only', async () => {
    const result = await service.admin('GET', '/admin/keys');

    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    const keys = result.body.items as Key[];
    expect(keys).toHaveLength(8);
    for (const alg of ALGORITHMS) {
      expect(keyOf(keys, alg, 'current')).toHaveLength(1);
      expect(keyOf(keys, alg, 'next')).toHaveLength(1);
    }
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(
        key.state === 'current'
          ? ['activated_at', 'alg', 'created_at', 'kid', 'public_jwk', 'state']
          : ['alg', 'created_at', 'kid', 'public_jwk', 'state'],
      );
      expect(key.public_jwk).toMatchObject({ kid: key.kid, alg: key.alg, use: 'sig' });
      for (const member of PRIVATE_MEMBERS) expect(key.public_jwk).not.toHaveProperty(member);
    }
    const text = JSON.stringify(result.body);
    expect(text).not.toMatch(/encrypted_private_key|encryptedPrivateKey|PRIVATE KEY/);
  });

  it('when the JWKS is fetched then it publishes exactly the current and next keys, without private members', async () => {
    const keys = await listKeys();

    const result = await service.request('GET', '/jwks');

    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('application/jwk-set+json; charset=utf-8');
    expect(result.headers.get('cache-control')).toBe('public, max-age=60');
    const jwks = JSON.parse(JSON.stringify(result.body)) as { keys: JWK[] };
    expect(jwks.keys.map((key) => key.kid!).sort()).toEqual(keys.map((key) => key.kid).sort());
    for (const jwk of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
      expect(jwk).toEqual(keys.find((key) => key.kid === jwk.kid)!.public_jwk);
    }
  });

  it('when the private keys are read from the database then they are encrypted, not PEM', async () => {
    const rows = await service.db.query<{ kid: string; encrypted_private_key: string }>(
      'SELECT kid, encrypted_private_key FROM signing_key',
    );

    expect(rows).toHaveLength(8);
    for (const row of rows) {
      expect(row.encrypted_private_key).not.toContain('PRIVATE KEY');
      expect(row.encrypted_private_key).not.toContain('BEGIN');
      expect(row.encrypted_private_key).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    }
    expect(new Set(rows.map((row) => row.encrypted_private_key)).size).toBe(8);
  });

  it('when a client asks for an algorithm then its tokens are signed by that algorithm’s current key', async () => {
    const keys = await listKeys();

    for (const alg of ALGORITHMS) {
      const token = await tokenSignedWith(alg);

      const header = decodeProtectedHeader(token);
      expect(header).toEqual({ alg, kid: keyOf(keys, alg, 'current')[0]!.kid, typ: 'at+jwt' });
      await expect(verifyWithPublishedKeys(token)).resolves.toBeDefined();
    }
  });

  it('when every chain is rotated then next keys sign, current keys retire but stay published, and older tokens still verify', async () => {
    const before = await listKeys();
    const oldTokens = new Map<Alg, string>();
    for (const alg of ALGORITHMS) oldTokens.set(alg, await tokenSignedWith(alg));

    const result = await service.admin('POST', '/admin/keys/rotate');

    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe(JSON_CONTENT_TYPE);
    const after = result.body.items as Key[];
    expect(byKid(after)).toEqual(byKid(await listKeys()));
    expect(after).toHaveLength(12);
    for (const alg of ALGORITHMS) {
      const [formerCurrent] = keyOf(before, alg, 'current');
      const [formerNext] = keyOf(before, alg, 'next');
      const [current] = keyOf(after, alg, 'current');
      const [next] = keyOf(after, alg, 'next');
      const [retired] = keyOf(after, alg, 'retired');

      expect(current!.kid).toBe(formerNext!.kid);
      expect(current!.activated_at).toEqual(expect.any(Number));
      expect(retired!.kid).toBe(formerCurrent!.kid);
      expect(retired!.retain_until! - retired!.retired_at!).toBe(RETENTION_SECONDS);
      expect(before.map((key) => key.kid)).not.toContain(next!.kid);

      const fresh = await tokenSignedWith(alg);
      expect(decodeProtectedHeader(fresh).kid).toBe(formerNext!.kid);
      await expect(verifyWithPublishedKeys(fresh)).resolves.toBeDefined();

      const old = oldTokens.get(alg)!;
      expect(decodeProtectedHeader(old).kid).toBe(formerCurrent!.kid);
      await expect(verifyWithPublishedKeys(old)).resolves.toBeDefined();
      expect(await introspect(old)).toMatchObject({ active: true });
    }
    expect((await published()).map((key) => key.kid!).sort()).toEqual(
      after.map((key) => key.kid).sort(),
    );
    // The admin token the test app holds was signed before the rotation.
    expect((await service.admin('GET', '/admin/keys')).status).toBe(200);
  });

  it('when one algorithm is rotated then only that chain changes', async () => {
    const before = await listKeys();

    const result = await service.admin('POST', '/admin/keys/rotate', { alg: 'ES256' });

    expect(result.status).toBe(200);
    const after = result.body.items as Key[];
    const chain = (keys: Key[], alg: Alg) => byKid(keys.filter((key) => key.alg === alg));
    for (const alg of ['RS256', 'PS256', 'EdDSA'] as const) {
      expect(chain(after, alg)).toEqual(chain(before, alg));
    }
    expect(keyOf(after, 'ES256', 'current')[0]!.kid).toBe(keyOf(before, 'ES256', 'next')[0]!.kid);
    expect(keyOf(after, 'ES256', 'retired').map((key) => key.kid)).toEqual(
      expect.arrayContaining([
        ...keyOf(before, 'ES256', 'retired').map((key) => key.kid),
        keyOf(before, 'ES256', 'current')[0]!.kid,
      ]),
    );
    expect(keyOf(after, 'ES256', 'next')).toHaveLength(1);
    expect(decodeProtectedHeader(await tokenSignedWith('ES256')).kid).toBe(
      keyOf(after, 'ES256', 'current')[0]!.kid,
    );
    expect(decodeProtectedHeader(await tokenSignedWith('RS256')).kid).toBe(
      keyOf(before, 'RS256', 'current')[0]!.kid,
    );
  });

  it.each(
    [
      {
        body: { alg: 'HS256' },
        errors: [
          {
            pointer: '/alg',
            detail: 'alg must be one of the following values: ES256, RS256, PS256, EdDSA',
          },
        ],
      },
      {
        body: { alg: 'none' },
        errors: [
          {
            pointer: '/alg',
            detail: 'alg must be one of the following values: ES256, RS256, PS256, EdDSA',
          },
        ],
      },
      {
        body: { everything: true },
        errors: [{ pointer: '/everything', detail: 'is not a known field' }],
      },
    ].map((example) => [JSON.stringify(example.body), example] as const),
  )(
    'when rotation is asked with %s then 400 naming the field and no key changes',
    async (_body, { body, errors }) => {
      const result = await withoutWrites(
        service.db,
        () => service.admin('POST', '/admin/keys/rotate', body),
        ['signing_key'],
      );

      expectProblem(result, 400, { detail: 'invalid request body', errors });
    },
  );

  it('when rotation is asked without a token then 401 and no key changes', async () => {
    const before = await snapshot(service.db, ['signing_key']);

    const result = await service.request('POST', '/admin/keys/rotate');

    expectProblem(result, 401, {
      detail: 'a bearer access token is required in the Authorization header',
    });
    expect(await snapshot(service.db, ['signing_key'])).toEqual(before);
  });
});
