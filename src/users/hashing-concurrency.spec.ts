import { hashingConcurrency } from './password-hasher.js';

describe('hashingConcurrency', () => {
  it('is one per core while the event loop is quiet', () => {
    expect(hashingConcurrency(2, 0.05)).toBe(2);
    expect(hashingConcurrency(8, 0.5)).toBe(8);
  });

  it('leaves a core to the event loop while it is busy, but never stops hashing', () => {
    expect(hashingConcurrency(2, 0.9)).toBe(1);
    expect(hashingConcurrency(8, 0.51)).toBe(7);
    expect(hashingConcurrency(1, 1)).toBe(1);
  });
});
