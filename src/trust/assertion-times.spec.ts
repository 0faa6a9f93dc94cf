import {
  ASSERTION_CLOCK_SKEW,
  assertionTimeProblem,
  MAX_ASSERTION_LIFETIME,
} from './assertion-times.js';

const NOW = 1_800_000_000;
const TOO_LONG = `is valid for too long: at most ${MAX_ASSERTION_LIFETIME} seconds are accepted`;

describe('assertionTimeProblem', () => {
  it('when iat is now and exp in five minutes then there is no problem', () => {
    expect(assertionTimeProblem({ iat: NOW, exp: NOW + 300 }, NOW)).toBeUndefined();
  });

  it('when exp is missing then it is named', () => {
    expect(assertionTimeProblem({ iat: NOW }, NOW)).toBe('has no exp claim');
  });

  it('when exp is not a number then it is named', () => {
    expect(assertionTimeProblem({ exp: '123' as unknown as number }, NOW)).toBe(
      'has an exp claim that is not a number',
    );
  });

  it('when exp passed longer ago than the skew then it has expired', () => {
    expect(assertionTimeProblem({ exp: NOW - ASSERTION_CLOCK_SKEW }, NOW)).toBe('has expired');
  });

  it('when exp passed within the skew then it is still accepted', () => {
    expect(assertionTimeProblem({ exp: NOW - ASSERTION_CLOCK_SKEW + 1 }, NOW)).toBeUndefined();
  });

  it('when nbf is beyond the skew in the future then it is not yet valid', () => {
    expect(assertionTimeProblem({ nbf: NOW + ASSERTION_CLOCK_SKEW + 1, exp: NOW + 600 }, NOW)).toBe(
      'is not yet valid (nbf)',
    );
  });

  it('when nbf is within the skew then it is accepted', () => {
    expect(
      assertionTimeProblem({ nbf: NOW + ASSERTION_CLOCK_SKEW, exp: NOW + 600 }, NOW),
    ).toBeUndefined();
  });

  it('when iat is beyond the skew in the future then it was issued in the future', () => {
    expect(assertionTimeProblem({ iat: NOW + ASSERTION_CLOCK_SKEW + 1, exp: NOW + 600 }, NOW)).toBe(
      'was issued in the future (iat)',
    );
  });

  it('when exp - iat exceeds the maximum lifetime then it is too long', () => {
    expect(assertionTimeProblem({ iat: NOW, exp: NOW + MAX_ASSERTION_LIFETIME + 1 }, NOW)).toBe(
      TOO_LONG,
    );
  });

  it('when exp - iat is exactly the maximum then it is accepted', () => {
    expect(
      assertionTimeProblem({ iat: NOW, exp: NOW + MAX_ASSERTION_LIFETIME }, NOW),
    ).toBeUndefined();
  });

  it('when there is no iat and exp is more than the maximum (and skew) ahead then it is too long', () => {
    expect(
      assertionTimeProblem({ exp: NOW + MAX_ASSERTION_LIFETIME + ASSERTION_CLOCK_SKEW + 1 }, NOW),
    ).toBe(TOO_LONG);
  });

  it('when there is no iat and exp is within the maximum then it is accepted', () => {
    expect(assertionTimeProblem({ exp: NOW + MAX_ASSERTION_LIFETIME }, NOW)).toBeUndefined();
  });
});
