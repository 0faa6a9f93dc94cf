import { backoffMs, type FailureBackoffPolicy } from './failure-backoff.js';

const policy: FailureBackoffPolicy = { freeFailures: 5, lockoutAt: 10, windowMs: 900_000 };

describe('backoffMs', () => {
  it('when the failures are within the free ones then there is no wait', () => {
    for (let count = 0; count <= 5; count++) expect(backoffMs(policy, count, 800_000)).toBe(0);
  });

  it('when failures go past the free ones then the wait doubles with each: 1 s, 2 s, 4 s, 8 s', () => {
    expect([6, 7, 8, 9].map((count) => backoffMs(policy, count, 800_000))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
  });

  it('when the lockout count is reached then the key waits until its window ends', () => {
    expect(backoffMs(policy, 10, 654_321)).toBe(654_321);
    expect(backoffMs(policy, 25, 1_000)).toBe(1_000);
  });

  it('when the window ends sooner than the doubled wait then the wait is the rest of the window', () => {
    expect(backoffMs(policy, 9, 3_000)).toBe(3_000);
  });
});
