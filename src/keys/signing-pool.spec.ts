import { constants, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { SigningPool } from './signing-pool.js';

const ES256 = { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } } as const;
const PS256 = {
  digest: 'sha256',
  options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
} as const;

/** Whether `signature` (base64url) is a signature of `input` by the key's private half. */
function signs(
  input: string,
  signature: string,
  publicKey: KeyObject,
  method: { digest: string; options: object },
): boolean {
  const key = { key: publicKey, ...method.options };
  return verify(method.digest, Buffer.from(input), key, Buffer.from(signature, 'base64url'));
}

describe('SigningPool', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let pool: SigningPool;

  beforeEach(() => {
    // The event loop counts as quiet, as on an idle server (a busy test runner may not be).
    pool = new SigningPool(2, () => true);
  });
  afterEach(async () => {
    await pool.close();
  });

  it('signs a batch on its workers: each input with its own key and method, each answer to its caller', async () => {
    const requests = Array.from({ length: 60 }, (_, n) => ({
      input: `header.payload-${n}`,
      pair: [ec, otherEc, rsa][n % 3]!,
      method: n % 3 === 2 ? PS256 : ES256,
    }));
    const signatures = await Promise.all(
      requests.map(({ input, pair, method }) => pool.sign(input, pair.privateKey, method)),
    );
    requests.forEach(({ input, pair, method }, n) => {
      const signature = Buffer.from(signatures[n]!, 'base64url');
      expect(
        verify(
          method.digest,
          Buffer.from(input),
          { key: pair.publicKey, ...method.options },
          signature,
        ),
      ).toBe(true);
      // Not someone else's signature: another input does not verify.
      expect(
        verify(
          method.digest,
          Buffer.from(`${input}x`),
          { key: pair.publicKey, ...method.options },
          signature,
        ),
      ).toBe(false);
    });
  });

  it.each([1, 2, 3, 4, 5, 7, 31])(
    'when a turn asks for %i signatures of a pool of three idle workers then they are shared among min(3, n) workers (a lone one is made in-process) and each answer goes to its caller',
    async (count) => {
      const shared = new SigningPool(3, () => true);
      try {
        const inputs = Array.from({ length: count }, (_, n) => `header.payload-${n}`);
        const signatures = await Promise.all(
          inputs.map((input) => shared.sign(input, ec.privateKey, ES256)),
        );
        inputs.forEach((input, n) => {
          const signature = Buffer.from(signatures[n]!, 'base64url');
          const key = { key: ec.publicKey, ...ES256.options };
          expect(verify(ES256.digest, Buffer.from(input), key, signature)).toBe(true);
        });
        // One worker per slice: a batch of three or more is signed on all three at once.
        expect(shared.runningWorkers).toBe(count === 1 ? 0 : Math.min(3, count));
      } finally {
        await shared.close();
      }
    },
  );

  it('when one signature of a batch cannot be made then only its caller gets the error, and the pool goes on', async () => {
    const [bad, good] = await Promise.allSettled([
      pool.sign('input', ec.privateKey, { digest: 'no-such-digest', options: {} }),
      pool.sign('input', ec.privateKey, ES256),
    ]);
    expect(bad).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/signing failed/) },
    });
    expect(good.status).toBe('fulfilled');
    const signature = (good as PromiseFulfilledResult<string>).value;
    expect(
      verify(
        'sha256',
        Buffer.from('input'),
        { key: ec.publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(true);
    const later = await pool.sign('later', ec.privateKey, ES256);
    expect(later.length).toBeGreaterThan(0);
  });

  it('when a turn asks for one ES256 signature or one verification while no worker has work then it is done in-process, and no worker starts', async () => {
    const signature = await pool.sign('lone', ec.privateKey, ES256);
    expect(signs('lone', signature, ec.publicKey, ES256)).toBe(true);
    await expect(pool.verify('lone', signature, ec.publicKey, ES256)).resolves.toBe(true);
    await expect(pool.verify('lone!', signature, ec.publicKey, ES256)).resolves.toBe(false);
    // A signature node:crypto cannot even check is false, as on the workers.
    await expect(pool.verify('lone', 'AAAA', rsa.publicKey, PS256)).resolves.toBe(false);
    await expect(
      pool.sign('lone', ec.privateKey, { digest: 'no-such-digest', options: {} }),
    ).rejects.toThrow(/signing failed/);
    expect(pool.runningWorkers).toBe(0);
    expect(pool.batchesSentToWorkers).toBe(0);
  });

  it('when a turn asks for one ES256 signature while the event loop is busy then a worker makes it', async () => {
    const busyLoop = new SigningPool(2, () => false);
    try {
      const signature = await busyLoop.sign('lone', ec.privateKey, ES256);
      expect(signs('lone', signature, ec.publicKey, ES256)).toBe(true);
      expect(busyLoop.batchesSentToWorkers).toBe(1);
    } finally {
      await busyLoop.close();
    }
  });

  it('when a turn asks for one RSA signature then a worker makes it (it costs more than the hand-off)', async () => {
    const signature = await pool.sign('lone', rsa.privateKey, PS256);
    expect(signs('lone', signature, rsa.publicKey, PS256)).toBe(true);
    expect(pool.batchesSentToWorkers).toBe(1);
  });

  it('when a turn asks for one check with a dearer or unusual key (P-384, an RSA exponent other than 65537) then a worker does it', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const ES384 = { digest: 'sha384', options: { dsaEncoding: 'ieee-p1363' } } as const;
    const signature = sign('sha384', Buffer.from('lone'), {
      key: p384.privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url');
    await expect(pool.verify('lone', signature, p384.publicKey, ES384)).resolves.toBe(true);
    expect(pool.batchesSentToWorkers).toBe(1);
    const odd = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
    await expect(pool.verify('lone', 'AAAA', odd.publicKey, PS256)).resolves.toBe(false);
    expect(pool.batchesSentToWorkers).toBe(2);
  });

  it('when a turn asks for one ES256 signature while a worker has work in flight then it goes to the workers too', async () => {
    const busy = Array.from({ length: 8 }, (_, n) => pool.sign(`busy-${n}`, rsa.privateKey, PS256));
    // The next turn: the RSA batch is in flight on the workers.
    await new Promise((resolve) => setImmediate(resolve));
    const sentBefore = pool.batchesSentToWorkers;
    const lone = pool.sign('lone', ec.privateKey, ES256);
    await Promise.all([...busy, lone]);
    expect(pool.batchesSentToWorkers).toBe(sentBefore + 1);
  });

  it('when its workers stop with signatures unanswered then those are made in-process, and none is lost', async () => {
    const pending = Array.from({ length: 20 }, (_, n) =>
      pool.sign(`input-${n}`, ec.privateKey, ES256),
    );
    // The batch has been handed to a worker; stop the workers before they answer.
    await new Promise((resolve) => setImmediate(resolve));
    await pool.close();
    const signatures = await Promise.all(pending);
    signatures.forEach((signature, n) => {
      expect(
        verify(
          'sha256',
          Buffer.from(`input-${n}`),
          { key: ec.publicKey, dsaEncoding: 'ieee-p1363' },
          Buffer.from(signature, 'base64url'),
        ),
      ).toBe(true);
    });
  });

  it('verifies a batch on its workers: each signature against its own input, key and method', async () => {
    const signed = await Promise.all(
      [ec, otherEc, rsa].map(async (pair, n) => {
        const method = n === 2 ? PS256 : ES256;
        const input = `header.payload-${n}`;
        return { pair, method, input, signature: await pool.sign(input, pair.privateKey, method) };
      }),
    );
    const [ecSigned, otherSigned, rsaSigned] = signed as [
      (typeof signed)[0],
      (typeof signed)[0],
      (typeof signed)[0],
    ];
    const verdicts = await Promise.all([
      ...signed.map(({ pair, method, input, signature }) =>
        pool.verify(input, signature, pair.publicKey, method),
      ),
      // Another input, another key, another method, a malformed signature, a key of another type.
      pool.verify(`${ecSigned.input}x`, ecSigned.signature, ec.publicKey, ES256),
      pool.verify(ecSigned.input, ecSigned.signature, otherEc.publicKey, ES256),
      pool.verify(rsaSigned.input, rsaSigned.signature, rsa.publicKey, {
        digest: 'sha256',
        options: {},
      }),
      pool.verify(otherSigned.input, otherSigned.signature.slice(0, 20), otherEc.publicKey, ES256),
      pool.verify(ecSigned.input, ecSigned.signature, rsa.publicKey, PS256),
    ]);
    expect(verdicts).toEqual([true, true, true, false, false, false, false, false]);
  });

  it('when its workers stop with verifications unanswered then those are done in-process', async () => {
    const signature = await pool.sign('input', ec.privateKey, ES256);
    const pending = [
      pool.verify('input', signature, ec.publicKey, ES256),
      pool.verify('input', signature, otherEc.publicKey, ES256),
      pool.verify('input', 'not-a-signature', ec.publicKey, ES256),
    ];
    await new Promise((resolve) => setImmediate(resolve));
    await pool.close();
    expect(await Promise.all(pending)).toEqual([true, false, false]);
  });

  it('when an input has a line feed (no JWS signing input has) then signing it fails alone, and verifying it or an empty signature is false', async () => {
    const signature = await pool.sign('input', ec.privateKey, ES256);
    const [lineFeed, good] = await Promise.allSettled([
      pool.sign('two\nlines', ec.privateKey, ES256),
      pool.sign('input', ec.privateKey, ES256),
    ]);
    expect(lineFeed).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/line feed/) },
    });
    expect(good.status).toBe('fulfilled');
    expect(
      await Promise.all([
        pool.verify('input\n', signature, ec.publicKey, ES256),
        pool.verify('input', `${signature}\n`, ec.publicKey, ES256),
        pool.verify('input', '', ec.publicKey, ES256),
        pool.verify('input', signature, ec.publicKey, ES256),
      ]),
    ).toEqual([false, false, false, true]);
  });
});
