import { constants, generateKeyPairSync, type KeyObject, sign, type webcrypto } from 'node:crypto';
import { createLocalJWKSet, type JWK, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { jwsPool } from '../keys/jws-crypto.js';
import { SigningPool } from '../keys/signing-pool.js';
import { InvalidAssertionError } from './invalid-assertion.error.js';
import { ASYMMETRIC_JWS_ALGORITHMS } from './jws-algorithms.js';
import { refusalOf } from './jwt-assertion.verifier.js';
import { type PooledJwtVerifyOptions, verifyJwtOnPool } from './pooled-jwt-verification.js';

const ISSUER = 'https://partner.example';
const AUDIENCE = 'https://id.example/token';

type Alg =
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'EdDSA'
  | 'Ed25519';

/** How node:crypto makes a signature of each algorithm (the JWS encoding). */
const SIGNERS: Record<Alg, { digest: string | null; options: Record<string, unknown> }> = {
  ES256: { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { digest: 'sha384', options: { dsaEncoding: 'ieee-p1363' } },
  ES512: { digest: 'sha512', options: { dsaEncoding: 'ieee-p1363' } },
  RS256: { digest: 'sha256', options: {} },
  RS384: { digest: 'sha384', options: {} },
  RS512: { digest: 'sha512', options: {} },
  PS256: {
    digest: 'sha256',
    options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  },
  PS384: {
    digest: 'sha384',
    options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
  },
  PS512: {
    digest: 'sha512',
    options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 },
  },
  EdDSA: { digest: null, options: {} },
  Ed25519: { digest: null, options: {} },
};

const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
const rsaOf = (modulusLength: number) => generateKeyPairSync('rsa', { modulusLength });

const encode = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact JWS of any header and payload (a string is taken as the payload's raw text). */
function jws(key: KeyObject, alg: Alg, header: Record<string, unknown>, payload: unknown): string {
  const input = `${encode({ alg, ...header })}.${encode(payload)}`;
  const { digest, options } = SIGNERS[alg];
  return `${input}.${sign(digest, Buffer.from(input), { key, ...options }).toString('base64url')}`;
}

/** The same options as jose's jwtVerify takes them. */
const joseOptions = (options: PooledJwtVerifyOptions) => ({
  ...options,
  audience: [...options.audience],
  algorithms: [...options.algorithms],
});

interface Outcome {
  readonly claims?: unknown;
  readonly refused?: string;
  readonly thrown?: string;
  readonly kind?: string;
}

/** A pool that does a lone check on the event loop, and one that always uses its workers. */
const inProcess = new SigningPool(2, () => true);
const onWorkers = new SigningPool(2, () => false);
afterAll(async () => {
  await Promise.all([inProcess.close(), onWorkers.close()]);
});

describe('verifyJwtOnPool', () => {
  const p256 = ec('prime256v1');
  const p384 = ec('secp384r1');
  const p521 = ec('secp521r1');
  const rsa = rsaOf(2048);
  const otherP256 = ec('prime256v1');
  const weakRsa = rsaOf(1024);
  const ed = generateKeyPairSync('ed25519');
  const publicJwk = (key: KeyObject, kid: string, alg?: string): JWK => ({
    ...(key.export({ format: 'jwk' }) as JWK),
    kid,
    ...(alg === undefined ? {} : { alg }),
  });
  const jwks: JWTVerifyGetKey = createLocalJWKSet({
    keys: [
      publicJwk(p256.publicKey, 'p256', 'ES256'),
      publicJwk(p384.publicKey, 'p384'),
      publicJwk(p521.publicKey, 'p521'),
      publicJwk(rsa.publicKey, 'rsa'),
      publicJwk(weakRsa.publicKey, 'weak-rsa'),
      publicJwk(ed.publicKey, 'ed'),
      // Two EC P-256 keys without an alg: a header without kid matches both.
      publicJwk(otherP256.publicKey, 'p256-other'),
    ],
  });
  const options: PooledJwtVerifyOptions = {
    issuer: ISSUER,
    audience: [ISSUER, AUDIENCE],
    // What the service accepts in assertions: every algorithm of this spec.
    algorithms: ASYMMETRIC_JWS_ALGORITHMS,
    clockTolerance: 60,
  };
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: ISSUER,
    sub: 'alice',
    aud: AUDIENCE,
    jti: 'j1',
    iat: now(),
    exp: now() + 300,
    ...extra,
  });

  /**
   * What the service answers for a token: the claims, or the refusal's
   * public reason, with the error's class (and claim) it came from.
   */
  async function outcome(verify: () => Promise<unknown>): Promise<Outcome> {
    try {
      return { claims: await verify() };
    } catch (error) {
      const refusal = refusalOf(error, ISSUER);
      const kind = `${(error as Error).constructor.name} ${(error as { claim?: string }).claim ?? ''}`;
      return refusal instanceof InvalidAssertionError
        ? { refused: refusal.reason, kind }
        : { thrown: String(error), kind };
    }
  }

  /**
   * The same answer as jose's jwtVerify, on both paths of the pool (the
   * event loop, a worker); `sameClass` false where only the public reason
   * is the same (a crit header: jose names it otherwise).
   */
  async function expectAsJose(token: string, verifyOptions = options, sameClass = true) {
    const jose = await outcome(
      async () => (await jwtVerify(token, jwks, joseOptions(verifyOptions))).payload,
    );
    let ours: Outcome = {};
    for (const pool of [inProcess, onWorkers]) {
      ours = await outcome(() => verifyJwtOnPool(token, jwks, verifyOptions, pool));
      if (sameClass) expect(ours).toEqual(jose);
      else expect({ ...ours, kind: undefined }).toEqual({ ...jose, kind: undefined });
    }
    return ours;
  }

  const valid: [Alg, KeyObject, string][] = [
    ['ES256', p256.privateKey, 'p256'],
    ['ES384', p384.privateKey, 'p384'],
    ['ES512', p521.privateKey, 'p521'],
    ['RS256', rsa.privateKey, 'rsa'],
    ['RS384', rsa.privateKey, 'rsa'],
    ['RS512', rsa.privateKey, 'rsa'],
    ['PS256', rsa.privateKey, 'rsa'],
    ['PS384', rsa.privateKey, 'rsa'],
    ['PS512', rsa.privateKey, 'rsa'],
    ['EdDSA', ed.privateKey, 'ed'],
    ['Ed25519', ed.privateKey, 'ed'],
  ];

  it.each(valid)(
    'when a %s JWT is signed by a key of the set then its claims come back, as jose gives them',
    async (alg, key, kid) => {
      const payload = claims({ aud: [AUDIENCE, 'https://other.example'] });
      const result = await expectAsJose(jws(key, alg, { kid, typ: 'JWT' }, payload));
      expect(result.claims).toEqual(payload);
    },
  );

  it.each(valid)(
    'when a %s JWT has a changed payload or signature then it is refused as jose refuses it',
    async (alg, key, kid) => {
      const token = jws(key, alg, { kid }, claims());
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const otherPayload = encode(claims({ sub: 'mallory' }));
      expect((await expectAsJose(`${header}.${otherPayload}.${signature}`)).refused).toBe(
        'has an invalid signature',
      );
      // A different signature of the same length (the first character changed).
      const changed = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
      expect((await expectAsJose(`${header}.${payload}.${changed}`)).refused).toBe(
        'has an invalid signature',
      );
    },
  );

  it('when the header, the key or the algorithm is wrong then the refusal is the one jose would give', async () => {
    const cases: [string, string, PooledJwtVerifyOptions?][] = [
      // An algorithm outside the allow-list, and none.
      [
        jws(rsa.privateKey, 'RS256', { kid: 'rsa' }, claims()),
        'is signed with an algorithm that is not allowed',
        { ...options, algorithms: ['ES256'] },
      ],
      [
        `${encode({ alg: 'none' })}.${encode(claims())}.`,
        'is signed with an algorithm that is not allowed',
      ],
      // A kid the set does not have; no kid where two keys fit.
      [
        jws(p256.privateKey, 'ES256', { kid: 'unknown' }, claims()),
        'is signed with a key that is not registered for its issuer',
      ],
      [
        jws(p256.privateKey, 'ES256', {}, claims()),
        'names no kid and several registered keys could have signed it',
      ],
      // ES256 named on a P-384 key's kid: no key of the set fits.
      [
        jws(p384.privateKey, 'ES384', { kid: 'p384', alg: 'ES256' }, claims()),
        'is signed with a key that is not registered for its issuer',
      ],
      // Signed by a key of another party under this set's kid.
      [jws(otherP256.privateKey, 'ES256', { kid: 'p256' }, claims()), 'has an invalid signature'],
      // Malformed: parts, header, payload.
      ['a.b', 'is not a valid signed JWT'],
      ['a.b.c.d', 'is not a valid signed JWT'],
      [`${encode('not json')}.${encode(claims())}.AAAA`, 'is not a valid signed JWT'],
      [`${encode([1])}.${encode(claims())}.AAAA`, 'is not a valid signed JWT'],
      [jws(p256.privateKey, 'ES256', { kid: 'p256' }, 'not json'), 'is not a valid signed JWT'],
      [jws(p256.privateKey, 'ES256', { kid: 'p256' }, [claims()]), 'is not a valid signed JWT'],
      [`${encode({ kid: 'p256' })}.${encode(claims())}.AAAA`, 'is not a valid signed JWT'],
    ];
    for (const [token, reason, verifyOptions = options] of cases) {
      expect({ token, refused: (await expectAsJose(token, verifyOptions)).refused }).toEqual({
        token,
        refused: reason,
      });
    }
  });

  it('when the header has a crit (a JWS extension) then it is refused as by jose, which names the error otherwise', async () => {
    for (const token of [
      jws(p256.privateKey, 'ES256', { kid: 'p256', crit: ['exp'], exp: 1 }, claims()),
      jws(p256.privateKey, 'ES256', { kid: 'p256', crit: ['b64'], b64: false }, claims()),
    ]) {
      expect((await expectAsJose(token, options, false)).refused).toBe('is not a valid signed JWT');
    }
  });

  it('when a header or payload has a dangling base64url character then it is refused, as by jose', async () => {
    const header = encode({ alg: 'ES256', kid: 'p256', x: 123 });
    expect(header.length % 4).toBe(0);
    for (const [h, p] of [
      [`${header}A`, encode(claims())],
      [header, `${encode(claims())}${encode(claims()).length % 4 === 0 ? 'A' : ''}`],
    ] as const) {
      const input = `${h}.${p}`;
      const signature = sign('sha256', Buffer.from(input), {
        key: p256.privateKey,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64url');
      const result = await expectAsJose(`${input}.${signature}`);
      if (h !== header) expect(result.refused).toBe('is not a valid signed JWT');
    }
  });

  it('when the signature is empty, DER-encoded or of another scheme then it is refused, as by jose', async () => {
    const token = jws(p256.privateKey, 'ES256', { kid: 'p256' }, claims());
    const input = token.slice(0, token.lastIndexOf('.'));
    const der = sign('sha256', Buffer.from(input), p256.privateKey).toString('base64url');
    expect((await expectAsJose(`${input}.`)).refused).toBe('has an invalid signature');
    expect((await expectAsJose(`${input}.${der}`)).refused).toBe('has an invalid signature');
    // RS256 (PKCS#1 v1.5) bytes under a PS256 header, same key.
    const rsInput = `${encode({ alg: 'PS256', kid: 'rsa' })}.${encode(claims())}`;
    const pkcs1 = sign('sha256', Buffer.from(rsInput), rsa.privateKey).toString('base64url');
    expect((await expectAsJose(`${rsInput}.${pkcs1}`)).refused).toBe('has an invalid signature');
  });

  it('when HS256 or none is in the allow-list then a token of either is still refused, as by jose', async () => {
    const withSymmetric = { ...options, algorithms: [...options.algorithms, 'HS256', 'none'] };
    const hs = `${encode({ alg: 'HS256', kid: 'p256' })}.${encode(claims())}.AAAA`;
    const none = `${encode({ alg: 'none' })}.${encode(claims())}.`;
    for (const token of [hs, none]) {
      expect((await expectAsJose(token, withSymmetric)).claims).toBeUndefined();
    }
  });

  it('when a key set hands over a key of the wrong kind then nothing is verified with it', async () => {
    const subtle = globalThis.crypto.subtle;
    const p384Key = await subtle.importKey(
      'jwk',
      p384.publicKey.export({ format: 'jwk' }),
      { name: 'ECDSA', namedCurve: 'P-384' },
      false,
      ['verify'],
    );
    const rsaJwk = rsa.publicKey.export({ format: 'jwk' });
    const pkcs1Key = await subtle.importKey(
      'jwk',
      rsaJwk,
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    const pssKey = await subtle.importKey(
      'jwk',
      rsaJwk,
      { name: 'RSA-PSS', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    const privateKey = await subtle.importKey(
      'jwk',
      p256.privateKey.export({ format: 'jwk' }),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
    const hmacKey = await subtle.importKey(
      'raw',
      new Uint8Array(32),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    const cases: [string, webcrypto.CryptoKey][] = [
      [jws(p384.privateKey, 'ES256', { kid: 'x' }, claims()), p384Key],
      [jws(rsa.privateKey, 'PS256', { kid: 'x' }, claims()), pkcs1Key],
      [jws(rsa.privateKey, 'RS256', { kid: 'x' }, claims()), pssKey],
      [jws(p256.privateKey, 'ES256', { kid: 'x' }, claims()), privateKey],
      [jws(p256.privateKey, 'ES256', { kid: 'x' }, claims()), hmacKey],
    ];
    for (const [token, key] of cases) {
      const handsOver: JWTVerifyGetKey = async () => key;
      await expect(verifyJwtOnPool(token, handsOver, options, inProcess)).rejects.toThrow(
        TypeError,
      );
    }
  });

  it('when a key set hands over a KeyObject then jose checks the token with that very key', async () => {
    let calls = 0;
    const handsOver: JWTVerifyGetKey = async () => {
      calls += 1;
      return p256.publicKey;
    };
    const token = jws(p256.privateKey, 'ES256', { kid: 'p256' }, claims());
    await expect(verifyJwtOnPool(token, handsOver, options)).resolves.toMatchObject({
      sub: 'alice',
    });
    const forged = jws(otherP256.privateKey, 'ES256', { kid: 'p256' }, claims());
    await expect(verifyJwtOnPool(forged, handsOver, options)).rejects.toBeInstanceOf(Error);
    // One key lookup per token: jose is given the key, not the set.
    expect(calls).toBe(2);
  });

  it('when the key is an RSA key of fewer than 2048 bits then it is refused, as by jose', async () => {
    const result = await expectAsJose(
      jws(weakRsa.privateKey, 'RS256', { kid: 'weak-rsa' }, claims()),
    );
    expect(result.refused).toBe(
      'cannot be checked: the keys of its issuer are unavailable or unusable',
    );
  });

  it("when the claims are wrong then the refusal is the one jose would give, checked in jose's order", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ iss: 'https://evil.example' }, 'has an unexpected iss claim'],
      [{ iss: undefined }, 'has an unexpected iss claim'],
      [{ aud: undefined }, 'has no aud claim'],
      [
        { aud: 'https://other.example' },
        'is not meant for this server: aud must be its issuer or token endpoint',
      ],
      [
        { aud: ['https://other.example'] },
        'is not meant for this server: aud must be its issuer or token endpoint',
      ],
      [{ aud: 7 }, 'is not meant for this server: aud must be its issuer or token endpoint'],
      [{ exp: now() - 120 }, 'has expired'],
      [{ exp: 'soon' }, 'has an invalid exp claim'],
      [{ nbf: now() + 120 }, 'is not yet valid (nbf)'],
      // refusalOf words every nbf failure so, a malformed one too.
      [{ nbf: '1' }, 'is not yet valid (nbf)'],
      [{ iat: 'now' }, 'has an invalid iat claim'],
      // jose's order: iss before aud, aud before the times, nbf before exp.
      [
        { iss: 'https://evil.example', aud: 'https://other.example' },
        'has an unexpected iss claim',
      ],
      [
        { aud: 'https://other.example', exp: now() - 120 },
        'is not meant for this server: aud must be its issuer or token endpoint',
      ],
      [{ nbf: now() + 120, exp: now() - 120 }, 'is not yet valid (nbf)'],
    ];
    for (const [extra, reason] of cases) {
      const payload = JSON.parse(JSON.stringify(claims(extra)));
      const token = jws(p256.privateKey, 'ES256', { kid: 'p256' }, payload);
      expect({ extra, refused: (await expectAsJose(token)).refused }).toEqual({
        extra,
        refused: reason,
      });
    }
    // Within the skew: accepted by both.
    const skewed = jws(
      p256.privateKey,
      'ES256',
      { kid: 'p256' },
      claims({ exp: now() - 30, nbf: now() + 30 }),
    );
    expect((await expectAsJose(skewed)).claims).toBeDefined();
  });

  it("when the signature's base64url is not canonical then it is refused (jose would accept it)", async () => {
    const token = jws(p256.privateKey, 'ES256', { kid: 'p256' }, claims());
    // 64 bytes in 86 characters: the last one carries 4 spare bits; one is set here.
    const last = token.at(-1)!;
    const spare = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const altered = `${token.slice(0, -1)}${spare[spare.indexOf(last) ^ 1]}`;
    await expect(jwtVerify(altered, jwks, joseOptions(options))).resolves.toBeDefined();
    expect(await outcome(() => verifyJwtOnPool(altered, jwks, options))).toEqual({
      refused: 'is not a valid signed JWT',
      kind: 'JWSInvalid ',
    });
  });

  it('checks the signature on the signing pool, not on the event loop through WebCrypto', async () => {
    const before = jwsPool.batchesSentToWorkers;
    // A busy turn: several at once go to the workers as one batch per worker.
    const tokens = Array.from({ length: 8 }, (_, n) =>
      jws(p256.privateKey, 'ES256', { kid: 'p256' }, claims({ jti: `j${n}` })),
    );
    const verified = await Promise.all(
      tokens.map((token) => verifyJwtOnPool(token, jwks, options)),
    );
    expect(verified.map((payload) => payload.jti)).toEqual(tokens.map((_, n) => `j${n}`));
    expect(jwsPool.batchesSentToWorkers).toBeGreaterThan(before);
  });
});
