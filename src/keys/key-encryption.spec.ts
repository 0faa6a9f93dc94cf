import { KeyEncryption } from './key-encryption.js';

const SECRET = 'a-key-encryption-secret-of-32-characters!';
const PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIK2z\n-----END PRIVATE KEY-----\n';

function parts(sealed: string): string[] {
  return sealed.split('.');
}

/** Flips one bit of a base64url part. */
function flipBit(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0]! ^= 0x01;
  return bytes.toString('base64url');
}

describe('KeyEncryption', () => {
  it('when a text is encrypted then decrypting it gives it back', () => {
    const encryption = new KeyEncryption(SECRET);
    expect(encryption.decrypt(encryption.encrypt(PEM))).toBe(PEM);
  });

  it('when another instance has the same secret then it decrypts too', () => {
    const sealed = new KeyEncryption(SECRET).encrypt(PEM);
    expect(new KeyEncryption(SECRET).decrypt(sealed)).toBe(PEM);
  });

  it('when encrypted then the result is "v1" and three base64url parts without the plain text', () => {
    const sealed = new KeyEncryption(SECRET).encrypt(PEM);
    const [version, iv, tag, ciphertext] = parts(sealed);
    expect(version).toBe('v1');
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
    expect(ciphertext).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('PRIVATE KEY');
  });

  it('when the same text is encrypted twice then the results differ', () => {
    const encryption = new KeyEncryption(SECRET);
    const first = encryption.encrypt(PEM);
    const second = encryption.encrypt(PEM);
    expect(first).not.toBe(second);
    expect(parts(first)[1]).not.toBe(parts(second)[1]);
  });

  it('when another secret tries to decrypt then it throws', () => {
    const sealed = new KeyEncryption(SECRET).encrypt(PEM);
    const other = new KeyEncryption('another-secret-that-is-32-characters-long');
    expect(() => other.decrypt(sealed)).toThrow();
  });

  it.each([
    ['iv', 1],
    ['tag', 2],
    ['ciphertext', 3],
  ])('when the %s is tampered with then decrypting throws', (_, index) => {
    const encryption = new KeyEncryption(SECRET);
    const sealed = parts(encryption.encrypt(PEM));
    sealed[index] = flipBit(sealed[index]!);
    expect(() => encryption.decrypt(sealed.join('.'))).toThrow();
  });

  it('when the tag is truncated then decrypting throws', () => {
    const encryption = new KeyEncryption(SECRET);
    const sealed = parts(encryption.encrypt(PEM));
    sealed[2] = Buffer.from(sealed[2]!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => encryption.decrypt(sealed.join('.'))).toThrow();
  });

  it('when the ciphertext is cut short then decrypting throws', () => {
    const encryption = new KeyEncryption(SECRET);
    const sealed = parts(encryption.encrypt(PEM));
    sealed[3] = sealed[3]!.slice(0, -4);
    expect(() => encryption.decrypt(sealed.join('.'))).toThrow();
  });

  it.each([
    ['an unknown version', (sealed: string) => sealed.replace(/^v1\./, 'v2.')],
    ['a missing part', (sealed: string) => parts(sealed).slice(0, 3).join('.')],
    ['plain text', () => PEM],
  ])('when the value has %s then decrypting throws', (_, mangle) => {
    const encryption = new KeyEncryption(SECRET);
    expect(() => encryption.decrypt(mangle(encryption.encrypt(PEM)))).toThrow(
      'not an encrypted key of a known format',
    );
  });
});
