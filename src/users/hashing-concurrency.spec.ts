import { hashingConcurrency } from './password-hasher.js';

describe('hashingConcurrency', () => {
  it('is two per core while the event loop is quiet: one running and one waiting on each hashing thread', () => {
    expect(hashingConcurrency(2, 0.05)).toBe(4);
    expect(hashingConcurrency(8, 0.5)).toBe(16);
    expect(hashingConcurrency(1, 0)).toBe(2);
  });

  it('leaves a core to the event loop while it is busy, but never stops hashing', () => {
    expect(hashingConcurrency(2, 0.9)).toBe(1);
    expect(hashingConcurrency(8, 0.51)).toBe(7);
    expect(hashingConcurrency(1, 1)).toBe(1);
  });
});
