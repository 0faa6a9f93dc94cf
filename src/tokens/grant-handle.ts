import { randomBytesFromPool } from '../common/crypto/random-pool.js';
import { sha256 } from '../common/crypto/secrets.js';

/** Bytes of issue time (Unix milliseconds, big-endian) at the front of a handle. */
const TIME_BYTES = 6;
/** Random bytes after them: the handle's secret part, 256 bits. */
const RANDOM_BYTES = 32;
/** base64url of 38 bytes: 51 characters; the 8 first carry the time. */
const TIME_STAMPED_HANDLE = /^[A-Za-z0-9_-]{51}$/;

/**
 * A new handle for something the persisted-grant store keeps (a reference
 * or refresh token, a code, a session): the issue time in milliseconds, then
 * 256 random bits, base64url. The time is no secret (introspection and the
 * JWT `iat` tell it too); it is there so that the stored key below sorts by
 * issue time.
 */
export function newGrantHandle(now: number = Date.now()): string {
  const bytes = randomBytesFromPool(TIME_BYTES + RANDOM_BYTES);
  bytes.writeUIntBE(now, 0, TIME_BYTES);
  return bytes.toString('base64url');
}

/**
 * What the store keeps and looks up instead of a handle. For a handle made
 * by newGrantHandle: its issue time in hex (12 characters, which sort as
 * the times do), then the SHA-256 of the whole handle. A new row's key so
 * lands at the right edge of the unique index instead of on a random page:
 * measured on SQLite, an insert cost 12 µs with these keys against 45 µs
 * with bare hashes, at 40,000 to 120,000 rows. Anything else (handles made
 * before, consent and assertion keys, user codes, JWT ids): the bare
 * SHA-256, as before. The two forms differ in length (55 and 43), so they
 * never collide.
 */
export function grantKey(handle: string): string {
  if (!TIME_STAMPED_HANDLE.test(handle)) return sha256(handle);
  const time = Buffer.from(handle.slice(0, 8), 'base64url').toString('hex');
  return time + sha256(handle);
}
