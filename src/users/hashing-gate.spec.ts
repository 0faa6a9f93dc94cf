import { HashingGate } from './hashing-gate.js';

/** A piece of work that finishes when the test says so. */
function controllable<T>(value: T) {
  let finish!: () => void;
  const started = { value: false };
  const work = () => {
    started.value = true;
    return new Promise<T>((resolve) => (finish = () => resolve(value)));
  };
  return { work, started, finish: () => finish() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('HashingGate', () => {
  it('runs at most limit() at once and admits the waiting in arrival order as slots free', async () => {
    const gate = new HashingGate(() => 2);
    const jobs = [1, 2, 3, 4].map((n) => controllable(n));
    const results = jobs.map((job) => gate.run(job.work));
    await turn();
    expect(jobs.map((job) => job.started.value)).toEqual([true, true, false, false]);
    expect(gate.counts).toEqual({ active: 2, waiting: 2 });

    jobs[1]!.finish();
    await turn();
    expect(jobs.map((job) => job.started.value)).toEqual([true, true, true, false]);

    jobs[0]!.finish();
    jobs[2]!.finish();
    await turn();
    expect(jobs[3]!.started.value).toBe(true);
    jobs[3]!.finish();
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4]);
    expect(gate.counts).toEqual({ active: 0, waiting: 0 });
  });

  it('follows a limit that changes: a lower one holds new work back, a higher one admits more', async () => {
    let limit = 1;
    const gate = new HashingGate(() => limit);
    const jobs = [1, 2, 3].map((n) => controllable(n));
    const results = jobs.map((job) => gate.run(job.work));
    await turn();
    expect(gate.counts).toEqual({ active: 1, waiting: 2 });

    limit = 3;
    jobs[0]!.finish();
    await turn();
    expect(gate.counts).toEqual({ active: 2, waiting: 0 });
    jobs[1]!.finish();
    jobs[2]!.finish();
    expect(await Promise.all(results)).toEqual([1, 2, 3]);
  });

  it('frees the slot of work that fails, and passes the failure on', async () => {
    const gate = new HashingGate(() => 1);
    const failing = gate.run(() => Promise.reject(new Error('hash failed')));
    const next = gate.run(() => Promise.resolve('next'));
    await expect(failing).rejects.toThrow('hash failed');
    await expect(next).resolves.toBe('next');
    expect(gate.counts).toEqual({ active: 0, waiting: 0 });
  });
});
