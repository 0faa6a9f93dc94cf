import { randomInt } from 'node:crypto';

/**
 * RFC 8628 §6.1: twenty consonants, no vowels (so no words are spelt by
 * accident) and none that look alike. Eight of them are 20^8 ≈ 2^34.5
 * codes, which with the rate limit on entries and the 10-minute lifetime
 * leaves a guesser no real chance.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;
const USER_CODE_PATTERN = new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`);

/** A new user code, as stored and compared: eight characters of the alphabet, no dash. */
export function generateUserCode(): string {
  let code = '';
  for (let index = 0; index < USER_CODE_LENGTH; index += 1) {
    code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  }
  return code;
}

/** How the user sees the code: XXXX-XXXX. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What the user typed, as the stored form: case, dashes and spaces do not
 * matter; undefined when it cannot be a user code at all.
 */
export function normalizeUserCode(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > 64) return undefined;
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  return USER_CODE_PATTERN.test(code) ? code : undefined;
}

/** The persisted-grant handle of a user code (its SHA-256 is what the store keeps). */
export function userCodeHandle(code: string): string {
  return `device_user_code:${code}`;
}
