import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { jwsPool } from './jws-crypto.js';
import { signCompactJws } from './jws-signer.js';
import { verifyCompactJws, type VerificationKeyLookup } from './jws-verifier.js';
import { type GeneratedKeyPair, generateSigningKeyPair } from './key-pair.factory.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './signing-algorithm.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const CLAIMS = { iss: 'https://id.example.com', sub: 'client-1', jti: 'j-1' };

describe('verifyCompactJws', () => {
  const pairs = new Map<SigningAlgorithm, GeneratedKeyPair>();
  /** The service's key lookup: by kid, with the algorithm each key was made for. */
  const lookup: VerificationKeyLookup = ({ kid }) => {
    for (const [alg, pair] of pairs) {
      if (pair.kid === kid) return { alg, key: createPublicKey(pair.privateKey) };
    }
    return undefined;
  };
  const es256 = () => pairs.get('ES256')!;

  /** header.payload signed with the ES256 key exactly as given, so no library tidies the header. */
  function signedRaw(header: unknown, payload: unknown, pair = es256()): string {
    const input = `${b64(header)}.${b64(payload)}`;
    const signature = sign('sha256', Buffer.from(input), {
      key: pair.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${input}.${signature.toString('base64url')}`;
  }

  beforeAll(async () => {
    for (const alg of SIGNING_ALGORITHMS) pairs.set(alg, await generateSigningKeyPair(alg));
  });
  afterAll(() => jwsPool.close());

  it.each([...SIGNING_ALGORITHMS])(
    'when a %s token of a known key is presented then its header and payload come back',
    async (alg) => {
      const pair = pairs.get(alg)!;
      const header = { alg, kid: pair.kid, typ: 'at+jwt' };
      const token = await signCompactJws(header, CLAIMS, alg, pair.privateKey);
      expect(await verifyCompactJws(token, lookup)).toEqual({ header, payload: CLAIMS });
    },
  );

  it('when the payload is changed under a genuine signature then it is refused', async () => {
    const [header, , signature] = (
      await signCompactJws({ alg: 'ES256', kid: es256().kid }, CLAIMS, 'ES256', es256().privateKey)
    ).split('.');
    const forged = `${header}.${b64({ ...CLAIMS, sub: 'admin' })}.${signature}`;
    expect(await verifyCompactJws(forged, lookup)).toBeUndefined();
  });

  it('when the header names another algorithm than its key was made for then it is refused, even with a valid signature', async () => {
    // The RS256 key's signature made with PS256 padding, and the header saying PS256.
    const rsa = pairs.get('RS256')!;
    const token = await signCompactJws(
      { alg: 'PS256', kid: rsa.kid },
      CLAIMS,
      'PS256',
      rsa.privateKey,
    );
    expect(await verifyCompactJws(token, lookup)).toBeUndefined();
  });

  it.each([
    ['an unknown kid', { alg: 'ES256', kid: 'nobody' }],
    ['no kid', { alg: 'ES256' }],
    ['alg none', { alg: 'none', kid: 'KID' }],
    ['alg HS256', { alg: 'HS256', kid: 'KID' }],
    ['no alg', { kid: 'KID' }],
    ['a crit extension', { alg: 'ES256', kid: 'KID', crit: ['exp'] }],
    ['b64 (RFC 7797)', { alg: 'ES256', kid: 'KID', b64: false, crit: ['b64'] }],
    ['b64 without crit', { alg: 'ES256', kid: 'KID', b64: true }],
  ])('when the header has %s then it is refused', async (_, header) => {
    const withKid = JSON.parse(JSON.stringify(header).replace('KID', es256().kid));
    expect(await verifyCompactJws(signedRaw(withKid, CLAIMS), lookup)).toBeUndefined();
  });

  it.each([
    ['the header is an array', ['ES256'], CLAIMS],
    ['the header is a string', 'ES256', CLAIMS],
    ['the payload is an array', { alg: 'ES256', kid: 'KID' }, [CLAIMS]],
    ['the payload is null', { alg: 'ES256', kid: 'KID' }, null],
    ['the payload is a number', { alg: 'ES256', kid: 'KID' }, 42],
  ])('when %s, even correctly signed, then it is refused', async (_, header, payload) => {
    const withKid = JSON.parse(JSON.stringify(header).replace('KID', es256().kid));
    expect(await verifyCompactJws(signedRaw(withKid, payload), lookup)).toBeUndefined();
  });

  it('when the token is not three base64url parts or its JSON is broken then it is refused', async () => {
    const genuine = signedRaw({ alg: 'ES256', kid: es256().kid }, CLAIMS);
    const [header, payload, signature] = genuine.split('.') as [string, string, string];
    const notJson = Buffer.from('{"sub":').toString('base64url');
    for (const token of [
      `${header}.${payload}`,
      `${header}.${payload}.`,
      `${header}..${signature}`,
      `${genuine}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -4)}`,
      `${header}.${payload}.${signature}=`,
      `${notJson}.${payload}.${signature}`,
      '',
    ]) {
      expect(await verifyCompactJws(token, lookup)).toBeUndefined();
    }
    expect(await verifyCompactJws(genuine, lookup)).toBeDefined();
  });

  it('when a signature has a dangling base64url character (which a lenient decoder drops) then it is refused', async () => {
    // RSA-3072: 384 bytes of signature, 512 characters, so one more is dangling.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const rsa3072: VerificationKeyLookup = () => ({ alg: 'RS256', key: publicKey });
    const token = await signCompactJws({ alg: 'RS256', kid: 'k' }, CLAIMS, 'RS256', privateKey);
    expect(token.split('.')[2]).toHaveLength(512);
    expect(await verifyCompactJws(token, rsa3072)).toBeDefined();
    expect(await verifyCompactJws(`${token}A`, rsa3072)).toBeUndefined();
  });

  it('when the header or the payload is not UTF-8, even correctly signed, then it is refused', async () => {
    const notUtf8 = (json: string) =>
      Buffer.concat([Buffer.from(json.slice(0, -2)), Buffer.from([0xff]), Buffer.from('"}')]);
    const header = notUtf8(`{"alg":"ES256","kid":"${es256().kid}","x":""}`);
    const payload = notUtf8('{"sub":"client-1","x":""}');
    for (const [h, p] of [
      [header, Buffer.from(JSON.stringify({ sub: 'client-1' }))],
      [Buffer.from(JSON.stringify({ alg: 'ES256', kid: es256().kid })), payload],
    ] as const) {
      const input = `${h.toString('base64url')}.${p.toString('base64url')}`;
      const signature = sign('sha256', Buffer.from(input), {
        key: es256().privateKey,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64url');
      expect(await verifyCompactJws(`${input}.${signature}`, lookup)).toBeUndefined();
    }
  });
});
