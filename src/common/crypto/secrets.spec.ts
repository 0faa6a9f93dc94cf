import { createHash } from 'node:crypto';
import { constantTimeEquals, randomHandle, sha256 } from './secrets.js';

describe('randomHandle', () => {
  it('when called then it is 43 base64url characters (256 bits)', () => {
    const handle = randomHandle();
    expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(handle, 'base64url')).toHaveLength(32);
  });

  it('when called many times then no two handles are equal', () => {
    const handles = new Set(Array.from({ length: 1000 }, randomHandle));
    expect(handles.size).toBe(1000);
  });
});

describe('sha256', () => {
  it('when given "abc" then it is the FIPS 180-2 test vector in base64url', () => {
    expect(sha256('abc')).toBe(
      Buffer.from(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        'hex',
      ).toString('base64url'),
    );
  });

  it('when given the empty string then it is the digest of nothing', () => {
    expect(sha256('')).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  });

  it('when given non-ASCII text then it hashes its UTF-8 bytes', () => {
    const utf8 = createHash('sha256')
      .update(Buffer.from([0xc3, 0xa9]))
      .digest('base64url');
    expect(sha256('é')).toBe(utf8);
  });
});

describe('constantTimeEquals', () => {
  it('when the strings are equal then it is true', () => {
    const digest = sha256('secret');
    expect(constantTimeEquals(digest, `${digest}`)).toBe(true);
    expect(constantTimeEquals('', '')).toBe(true);
  });

  it('when the strings differ in one character then it is false', () => {
    expect(constantTimeEquals('abcdef', 'abcdeg')).toBe(false);
  });

  it('when the lengths differ then it is false without throwing', () => {
    expect(constantTimeEquals('abc', 'abcd')).toBe(false);
    expect(constantTimeEquals('abcd', '')).toBe(false);
  });

  it('when the strings have the same length in characters but not in bytes then it is false', () => {
    expect(constantTimeEquals('é', 'e')).toBe(false);
    expect(constantTimeEquals('éa', 'aé')).toBe(false);
  });
});
