import { timeOrderedId } from './time-ordered-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('is a UUID version 7 whose first 48 bits are the given milliseconds', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0, 123);
    const id = timeOrderedId(now);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('sorts by time: an id of a later millisecond sorts after every id of an earlier one', () => {
    const earlier = Array.from({ length: 300 }, () => timeOrderedId(1_000_000));
    const later = Array.from({ length: 300 }, () => timeOrderedId(1_000_001));
    const newestEarlier = [...earlier].sort().at(-1)!;
    const oldestLater = [...later].sort()[0]!;
    expect(newestEarlier < oldestLater).toBe(true);
  });

  it('never repeats across many pool refills (74 random bits per id)', () => {
    const ids = Array.from({ length: 10_000 }, () => timeOrderedId(42));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });
});
