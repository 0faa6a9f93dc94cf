import { InProcessWindowedCounters } from './in-process-windowed-counters.js';

describe('InProcessWindowedCounters', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('when a key is incremented then it counts within the window the first increment opened', async () => {
    const counters = new InProcessWindowedCounters();
    expect(await counters.increment('k', 10_000)).toEqual({ count: 1, resetInMs: 10_000 });
    vi.advanceTimersByTime(4_000);
    expect(await counters.increment('k', 10_000)).toEqual({ count: 2, resetInMs: 6_000 });
    expect(await counters.read('k')).toEqual({ count: 2, resetInMs: 6_000 });
  });

  it('when the window ends then the count starts again from 0', async () => {
    const counters = new InProcessWindowedCounters();
    await counters.increment('k', 10_000);
    await counters.increment('k', 10_000);
    vi.advanceTimersByTime(10_000);
    expect(await counters.read('k')).toEqual({ count: 0, resetInMs: 0 });
    expect(await counters.increment('k', 10_000)).toEqual({ count: 1, resetInMs: 10_000 });
  });

  it('when a key is reset then it reads 0 and other keys keep their counts', async () => {
    const counters = new InProcessWindowedCounters();
    await counters.increment('a', 10_000);
    await counters.increment('b', 10_000);
    await counters.reset('a');
    expect(await counters.read('a')).toEqual({ count: 0, resetInMs: 0 });
    expect((await counters.read('b')).count).toBe(1);
  });

  it('when more keys are tracked than allowed then expired ones go first, then all', async () => {
    const counters = new InProcessWindowedCounters(2);
    await counters.increment('short', 1_000);
    await counters.increment('long', 60_000);
    vi.advanceTimersByTime(1_000);
    await counters.increment('new', 60_000);
    expect((await counters.read('long')).count).toBe(1);
    expect((await counters.read('new')).count).toBe(1);
    await counters.increment('newer', 60_000);
    expect((await counters.read('long')).count).toBe(0);
    expect((await counters.read('newer')).count).toBe(1);
  });
});
