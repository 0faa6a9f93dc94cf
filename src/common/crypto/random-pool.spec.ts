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

  it('hands out buffers with memory of their own, not slices of a shared one', () => {
    const bytes = randomBytesFromPool(38);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(38);
  });

  it('when a draw ends exactly at the end of the pool then the next one comes from a refill', () => {
    // Whatever the pool's position, 4,096 one-byte draws cross its end once at least.
    const draws = Array.from({ length: 4_096 * 2 }, () => randomBytesFromPool(1)[0]!);
    const zeros = draws.filter((byte) => byte === 0).length;
    // About 1 in 256 bytes is zero by chance; a stretch served unrefilled would be all zeros.
    expect(zeros).toBeLessThan(draws.length / 64);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'when asked for %s bytes then it throws and hands out nothing',
    (size) => {
      expect(() => randomBytesFromPool(size)).toThrow(RangeError);
      const after = Array.from({ length: 200 }, () => randomBytesFromPool(16).toString('hex'));
      expect(new Set(after).size).toBe(200);
      expect(after).not.toContain('0'.repeat(32));
    },
  );
});
