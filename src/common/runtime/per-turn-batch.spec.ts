import { PerTurnBatch } from './per-turn-batch.js';

describe('PerTurnBatch', () => {
  it('hands over what one turn added in one piece, in order, and starts afresh in the next turn', async () => {
    const batches: number[][] = [];
    const batch = new PerTurnBatch<number>((items) => batches.push(items));
    batch.add(1);
    batch.add(2);
    batch.add(3);
    expect(batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1, 2, 3]]);

    batch.add(4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('when the hand-over adds more then that goes into the next batch', async () => {
    const batches: string[][] = [];
    const batch: PerTurnBatch<string> = new PerTurnBatch((items) => {
      batches.push(items);
      if (items.includes('first')) batch.add('added while handing over');
    });
    batch.add('first');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['first'], ['added while handing over']]);
  });
});
