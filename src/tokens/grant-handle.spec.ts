import { createHash } from 'node:crypto';
import { grantKey, newGrantHandle } from './grant-handle.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('newGrantHandle', () => {
  it('is 51 base64url characters: 6 bytes of issue time in ms, then 256 random bits', () => {
    const now = Date.UTC(2026, 11, 1, 3, 4, 5, 678);
    const handle = newGrantHandle(now);
    expect(handle).toMatch(/^[A-Za-z0-9_-]{51}$/);
    const bytes = Buffer.from(handle, 'base64url');
    expect(bytes).toHaveLength(38);
    expect(bytes.readUIntBE(0, 6)).toBe(now);
  });

  it('never repeats, even within one millisecond', () => {
    const handles = Array.from({ length: 5_000 }, () => newGrantHandle(42));
    expect(new Set(handles).size).toBe(handles.length);
  });
});

describe('grantKey', () => {
  it('of a new handle is its issue time in 12 hex digits, then the SHA-256 of the whole handle', () => {
    const now = Date.UTC(2026, 11, 1, 3, 4, 5, 678);
    const handle = newGrantHandle(now);
    const key = grantKey(handle);
    expect(key).toHaveLength(55);
    expect(key.slice(0, 12)).toBe(now.toString(16).padStart(12, '0'));
    expect(key.slice(12)).toBe(sha256(handle));
  });

  it('sorts by issue time: every key of a later millisecond sorts after every key of an earlier one', () => {
    const earlier = Array.from({ length: 200 }, () => grantKey(newGrantHandle(1_796_000_000_000)));
    const later = Array.from({ length: 200 }, () => grantKey(newGrantHandle(1_796_000_000_001)));
    expect([...earlier].sort().at(-1)! < [...later].sort()[0]!).toBe(true);
  });

  it.each([
    ['a 43-character handle made before time-stamped handles', 'q'.repeat(43)],
    ['a consent key', 'consent:5ca68e16-0000-4000-8000-000000000000:billing'],
    ['an assertion key', 'https://partner.example:4b9c1e'],
    ['a JWT id', '0193f7a2-1c2d-7e3f-8a4b-5c6d7e8f9a0b'],
    ['51 characters that are not base64url', `${'a'.repeat(50)}.`],
  ])('of %s is the bare SHA-256 (43 characters), as stored before', (_, handle) => {
    expect(grantKey(handle)).toBe(sha256(handle));
  });

  it('never gives a new handle and another string the same key: the two forms differ in length', () => {
    const handle = newGrantHandle();
    expect(grantKey(handle)).not.toHaveLength(sha256('anything').length);
  });
});
