import { DevicePollingTracker } from './device-polling.tracker.js';

describe('DevicePollingTracker (RFC 8628 §3.5)', () => {
  const until = 1_000_000;

  it('when polls keep the interval then none is too soon', () => {
    const tracker = new DevicePollingTracker();
    expect(tracker.poll('a', 5, until, 0)).toBe(false);
    expect(tracker.poll('a', 5, until, 5_000)).toBe(false);
    expect(tracker.poll('a', 5, until, 10_000)).toBe(false);
    expect(tracker.intervalOf('a')).toBe(5);
  });

  it('when a poll comes too soon then slow_down and the interval grows by 5 s for every later poll', () => {
    const tracker = new DevicePollingTracker();
    tracker.poll('a', 5, until, 0);
    expect(tracker.poll('a', 5, until, 4_999)).toBe(true);
    expect(tracker.intervalOf('a')).toBe(10);
    // Five seconds are no longer enough.
    expect(tracker.poll('a', 5, until, 9_999)).toBe(true);
    expect(tracker.intervalOf('a')).toBe(15);
    expect(tracker.poll('a', 5, until, 24_999)).toBe(false);
    expect(tracker.intervalOf('a')).toBe(15);
  });

  it('when device codes differ then their intervals are their own', () => {
    const tracker = new DevicePollingTracker();
    tracker.poll('a', 5, until, 0);
    expect(tracker.poll('b', 5, until, 1)).toBe(false);
    expect(tracker.poll('a', 5, until, 2)).toBe(true);
    expect(tracker.intervalOf('b')).toBe(5);
  });

  it('when the device code has expired then its entry starts afresh', () => {
    const tracker = new DevicePollingTracker();
    tracker.poll('a', 5, 1_000, 0);
    expect(tracker.poll('a', 5, 10_000, 1_000)).toBe(false);
    tracker.forget('a');
    expect(tracker.intervalOf('a')).toBeUndefined();
  });
});
