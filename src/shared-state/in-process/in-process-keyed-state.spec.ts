import { InProcessKeyedState } from './in-process-keyed-state.js';

describe('InProcessKeyedState', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('when a value is set then it reads back equal until its time to live ends', async () => {
    const state = new InProcessKeyedState();
    await state.set('k', { last: 1, interval: 5 }, 5_000);
    expect(await state.get('k')).toEqual({ last: 1, interval: 5 });
    vi.advanceTimersByTime(4_999);
    expect(await state.get('k')).toEqual({ last: 1, interval: 5 });
    vi.advanceTimersByTime(1);
    expect(await state.get('k')).toBeUndefined();
  });

  it('when the stored object is changed by the caller then the stored value is not', async () => {
    const state = new InProcessKeyedState();
    const value = { interval: 5 };
    await state.set('k', value, 5_000);
    value.interval = 10;
    const read = await state.get<{ interval: number }>('k');
    read!.interval = 20;
    expect(await state.get('k')).toEqual({ interval: 5 });
  });

  it('when a key is deleted then it reads undefined', async () => {
    const state = new InProcessKeyedState();
    await state.set('k', 1, 5_000);
    await state.delete('k');
    expect(await state.get('k')).toBeUndefined();
  });
});
