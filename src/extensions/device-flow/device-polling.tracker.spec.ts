import { InProcessKeyedState } from '../../shared-state/in-process/in-process-keyed-state.js';
import { DevicePollingTracker } from './device-polling.tracker.js';

describe('DevicePollingTracker (RFC 8628 §3.5)', () => {
  const until = Date.now() + 600_000;
  const tracker = () => new DevicePollingTracker(new InProcessKeyedState());

  it('when polls keep the interval then none is too soon', async () => {
    const polling = tracker();
    expect(await polling.poll('a', 5, until, 0)).toEqual({ tooSoon: false, interval: 5 });
    expect(await polling.poll('a', 5, until, 5_000)).toEqual({ tooSoon: false, interval: 5 });
    expect(await polling.poll('a', 5, until, 10_000)).toEqual({ tooSoon: false, interval: 5 });
    expect(await polling.intervalOf('a')).toBe(5);
  });

  it('when a poll comes too soon then slow_down and the interval grows by 5 s for every later poll', async () => {
    const polling = tracker();
    await polling.poll('a', 5, until, 0);
    expect(await polling.poll('a', 5, until, 4_999)).toEqual({ tooSoon: true, interval: 10 });
    // Five seconds are no longer enough.
    expect(await polling.poll('a', 5, until, 9_999)).toEqual({ tooSoon: true, interval: 15 });
    expect(await polling.poll('a', 5, until, 24_999)).toEqual({ tooSoon: false, interval: 15 });
    expect(await polling.intervalOf('a')).toBe(15);
  });

  it('when device codes differ then their intervals are their own', async () => {
    const polling = tracker();
    await polling.poll('a', 5, until, 0);
    expect((await polling.poll('b', 5, until, 1)).tooSoon).toBe(false);
    expect((await polling.poll('a', 5, until, 2)).tooSoon).toBe(true);
    expect(await polling.intervalOf('b')).toBe(5);
  });

  it('when the device code has expired then its entry starts afresh, and forget drops it', async () => {
    const polling = tracker();
    await polling.poll('a', 5, 1_000, 0);
    expect(await polling.poll('a', 5, until, 1_000)).toEqual({ tooSoon: false, interval: 5 });
    await polling.forget('a');
    expect(await polling.intervalOf('a')).toBeUndefined();
  });
});
