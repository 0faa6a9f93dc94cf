import {
  formatUserCode,
  generateUserCode,
  normalizeUserCode,
  USER_CODE_ALPHABET,
} from './user-code.js';

describe('user codes (RFC 8628 §6.1)', () => {
  it('when generated then they are eight characters of twenty consonants, different each time', () => {
    expect(USER_CODE_ALPHABET).toHaveLength(20);
    expect(USER_CODE_ALPHABET).not.toMatch(/[AEIOUY]/);
    const codes = new Set(Array.from({ length: 200 }, () => generateUserCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
  });

  it('when shown then they read XXXX-XXXX', () => {
    expect(formatUserCode('BCDFGHJK')).toBe('BCDF-GHJK');
  });

  it('when typed in any case, with or without the dash or spaces, then they match the stored form', () => {
    for (const typed of ['BCDF-GHJK', 'bcdf-ghjk', 'bcdfghjk', ' BcDf GhJk ', 'BCDF--GHJK']) {
      expect(normalizeUserCode(typed)).toBe('BCDFGHJK');
    }
  });

  it('when typed with a vowel, a digit, the wrong length or not as text then they are no code', () => {
    for (const typed of [
      'ABCD-EFGH',
      'BCDF-GHJ1',
      'BCDF-GHJ',
      'BCDF-GHJKL',
      '',
      'x'.repeat(65),
      42,
    ]) {
      expect(normalizeUserCode(typed)).toBeUndefined();
    }
  });
});
