import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { SigningPool } from './signing-pool.js';

const ES256 = { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } } as const;
const PS256 = {
  digest: 'sha256',
  options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
} as const;

describe('SigningPool', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let pool: SigningPool;

  beforeEach(() => {
    pool = new SigningPool(2);
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
});
