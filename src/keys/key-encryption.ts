import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const INFO = 'identity-service signing key encryption';
const TAG_LENGTH = 16;

/**
 * AES-256-GCM for private keys at rest, keyed by HKDF-SHA256 of the
 * configured secret. Output: "v1.<iv>.<tag>.<ciphertext>", base64url parts.
 */
export class KeyEncryption {
  private readonly key: Buffer;

  /** `info` separates the keys of different uses of the same secret (HKDF, RFC 5869 §3.2). */
  constructor(secret: string, info: string = INFO) {
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** Throws when the value was encrypted with another secret or altered. */
  decrypt(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) {
      throw new Error('not an encrypted key of a known format');
    }
    // A fixed tag length: otherwise GCM accepts a tag truncated to as little as 4 bytes.
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_LENGTH,
    });
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}
