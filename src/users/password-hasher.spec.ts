import { PasswordHasher } from './password-hasher.js';

describe('PasswordHasher', () => {
  let hasher: PasswordHasher;

  beforeEach(() => {
    hasher = new PasswordHasher();
  });

  afterEach(async () => {
    await hasher.onApplicationShutdown();
  });

  it('verifies the password a hash was made from, and no other', async () => {
    const hash = await hasher.hash('s3cret passphrase');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await hasher.verify(hash, 's3cret passphrase')).toBe(true);
    expect(await hasher.verify(hash, 's3cret passphras')).toBe(false);
  });

  it('when the stored hash is missing (an unknown user) or malformed then it is false, not an error', async () => {
    // A missing hash is checked against the decoy, so that an unknown user costs the same.
    expect(await hasher.verify(null, 'decoy password never used')).toBe(false);
    expect(await hasher.verify('not a hash', 'anything')).toBe(false);
    expect(await hasher.verify('', 'anything')).toBe(false);
  });
});
