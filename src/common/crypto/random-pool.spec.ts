import { randomBytesFromPool } from './random-pool.js';

describe('randomBytesFromPool', () => {
  it('when asked for n bytes then it returns a buffer of its own of n bytes', () => {
    const first = randomBytesFromPool(32);
    const copy = Buffer.from(first);
    const second = randomBytesFromPool(32);
    expect(first).toHaveLength(32);
    expect(second).toHaveLength(32);
    // Drawing more does not change what was handed out before.
    expect(first.equals(copy)).toBe(true);
    expect(first.equals(second)).toBe(false);
  });

  it('when drawn across many refills of the pool then no 32-byte draw repeats', () => {
    const draws = Array.from({ length: 5_000 }, () => randomBytesFromPool(32).toString('hex'));
    expect(new Set(draws).size).toBe(draws.length);
  });

  it('when draws of odd sizes straddle the end of the pool then each is full length and random', () => {
    const draws = Array.from({ length: 400 }, (_, i) => randomBytesFromPool(1 + (i % 61)));
    draws.forEach((draw, i) => expect(draw).toHaveLength(1 + (i % 61)));
    // 400 draws of up to 61 bytes: about 12 KiB, so at least two refills. A
    // zeroed (not refilled) stretch would show as long runs of zero bytes.
    const all = Buffer.concat(draws);
    const zeros = all.filter((byte) => byte === 0).length;
    expect(zeros / all.length).toBeLessThan(0.02);
  });

  it('when asked for more than the pool holds then it still returns that many random bytes', () => {
    const big = randomBytesFromPool(10_000);
    expect(big).toHaveLength(10_000);
    expect(big.filter((byte) => byte === 0).length).toBeLessThan(200);
  });
});
