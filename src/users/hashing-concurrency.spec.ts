import { hashingConcurrency } from './password-hasher.js';

describe('hashingConcurrency', () => {
  it('is the thread pool size while the event loop is quiet', () => {
    expect(hashingConcurrency(2, 4, 0.05)).toBe(4);
    expect(hashingConcurrency(8, 16, 0.5)).toBe(16);
  });

  it('leaves a core to the event loop while it is busy, but never stops hashing', () => {
    expect(hashingConcurrency(2, 4, 0.9)).toBe(1);
    expect(hashingConcurrency(8, 4, 0.51)).toBe(7);
    expect(hashingConcurrency(1, 4, 1)).toBe(1);
  });
});
