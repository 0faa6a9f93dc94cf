import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { signCompactJws } from './jws-signer.js';
import { type GeneratedKeyPair, generateSigningKeyPair } from './key-pair.factory.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './signing-algorithm.js';

const ISSUER = 'https://id.example.com';

describe('signCompactJws', () => {
  const pairs = new Map<SigningAlgorithm, GeneratedKeyPair>();

  beforeAll(async () => {
    for (const alg of SIGNING_ALGORITHMS) pairs.set(alg, await generateSigningKeyPair(alg));
  });

  function token(alg: SigningAlgorithm, pair = pairs.get(alg)!): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return signCompactJws(
      { alg, kid: pair.kid, typ: 'at+jwt' },
      { iss: ISSUER, sub: 'client-1', aud: ISSUER, iat: now, exp: now + 60, scope: 'read' },
      alg,
      pair.privateKey,
    );
  }

  it.each([...SIGNING_ALGORITHMS])(
    'when signed with %s then jose verifies it with the published JWK',
    async (alg) => {
      const pair = pairs.get(alg)!;
      const publicKey = await importJWK(pair.publicJwk, alg);
      const { payload, protectedHeader } = await jwtVerify(await token(alg), publicKey, {
        issuer: ISSUER,
        audience: ISSUER,
        typ: 'at+jwt',
        algorithms: [alg],
      });
      expect(protectedHeader).toEqual({ alg, kid: pair.kid, typ: 'at+jwt' });
      expect(payload).toMatchObject({ sub: 'client-1', scope: 'read' });
    },
  );

  it.each([...SIGNING_ALGORITHMS])(
    'when a %s key pair is generated then its public JWK is published for signing only',
    (alg) => {
      const { kid, publicJwk } = pairs.get(alg)!;
      expect(publicJwk).toMatchObject({ kid, alg, use: 'sig' });
      expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
        expect(publicJwk).not.toHaveProperty(privateMember);
      }
    },
  );

  it('when two key pairs are generated for one algorithm then their kids differ', async () => {
    const other = await generateSigningKeyPair('ES256');
    expect(other.kid).not.toBe(pairs.get('ES256')!.kid);
  });

  it.each([
    ['ES256', 'EdDSA'],
    ['EdDSA', 'ES256'],
    ['RS256', 'PS256'],
    ['PS256', 'RS256'],
  ] as const)(
    'when a %s token is checked with the %s key then verification fails',
    async (signedWith, checkedWith) => {
      const verifyingJwk = pairs.get(checkedWith)!.publicJwk;
      const publicKey = await importJWK(verifyingJwk, checkedWith);
      await expect(jwtVerify(await token(signedWith), publicKey)).rejects.toThrow();
    },
  );

  it('when an RS256 token is checked as PS256 with the very same RSA key then verification fails', async () => {
    const rsa = pairs.get('RS256')!;
    const rs256 = await token('RS256', rsa);
    const [, payload, signature] = rs256.split('.');
    const relabelled = `${Buffer.from(JSON.stringify({ alg: 'PS256', kid: rsa.kid, typ: 'at+jwt' })).toString('base64url')}.${payload}.${signature}`;
    const publicKey = await importJWK({ ...rsa.publicJwk, alg: 'PS256' }, 'PS256');
    await expect(jwtVerify(relabelled, publicKey)).rejects.toThrow();
  });

  it('when a token is signed by another ES256 key then the published key rejects it', async () => {
    const stranger = await generateSigningKeyPair('ES256');
    const forged = await token('ES256', { ...stranger, kid: pairs.get('ES256')!.kid });
    expect(decodeProtectedHeader(forged).kid).toBe(pairs.get('ES256')!.kid);
    const publicKey = await importJWK(pairs.get('ES256')!.publicJwk, 'ES256');
    await expect(jwtVerify(forged, publicKey)).rejects.toThrow('signature verification failed');
  });

  it('when the payload is altered after signing then verification fails', async () => {
    const [header, , signature] = (await token('EdDSA')).split('.');
    const payload = Buffer.from(JSON.stringify({ iss: ISSUER, sub: 'admin' })).toString(
      'base64url',
    );
    const publicKey = await importJWK(pairs.get('EdDSA')!.publicJwk, 'EdDSA');
    await expect(jwtVerify(`${header}.${payload}.${signature}`, publicKey)).rejects.toThrow(
      'signature verification failed',
    );
  });

  it('when tokens are signed under more headers than are kept encoded then each carries its own header', async () => {
    const pair = pairs.get('ES256')!;
    const publicKey = await importJWK(pair.publicJwk, 'ES256');
    const headers = Array.from({ length: 80 }, (_, n) => ({
      alg: 'ES256',
      kid: `${pair.kid}-${n}`,
      typ: n % 2 === 0 ? 'at+jwt' : 'JWT',
    }));
    // Twice over: the second pass reads the kept encodings of the first 64.
    for (const header of [...headers, ...headers]) {
      const jws = await signCompactJws(header, { sub: header.kid }, 'ES256', pair.privateKey);
      const { payload, protectedHeader } = await jwtVerify(jws, publicKey);
      expect({ protectedHeader, sub: payload.sub }).toEqual({
        protectedHeader: header,
        sub: header.kid,
      });
    }
  });
});
