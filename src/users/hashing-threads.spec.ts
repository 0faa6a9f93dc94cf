import { verify as verifyOnLibuvPool } from '@node-rs/argon2';
import { getPriority } from 'node:os';
import { HASHING_THREAD_NICE, HashingThreads } from './hashing-threads.js';

describe('HashingThreads', () => {
  let threads: HashingThreads;

  beforeEach(() => {
    threads = new HashingThreads(2);
  });

  afterEach(async () => {
    await threads.close();
  });

  it('hashes with argon2id and verifies the right password only', async () => {
    const hash = await threads.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // The same hash as the library's own, which verifies it.
    expect(await verifyOnLibuvPool(hash, 'correct horse')).toBe(true);
    expect(await threads.verify(hash, 'correct horse')).toBe(true);
    expect(await threads.verify(hash, 'correct horsE')).toBe(false);
    expect(await threads.verify(hash, '')).toBe(false);
  });

  it('rejects a hash that is not an argon2 hash, and keeps working', async () => {
    // The library's own message, from the thread (the prefix is HashingThreads').
    await expect(threads.verify('not a hash', 'anything')).rejects.toThrow(/^argon2: \w+/);
    await expect(threads.verify('$2b$10$abcdefghijklmnopqrstuu', 'anything')).rejects.toThrow();
    const hash = await threads.hash('still fine');
    expect(await threads.verify(hash, 'still fine')).toBe(true);
  });

  it.skipIf(process.platform !== 'linux')(
    'runs each job on threads of its own at a lower priority, leaving the event loop at its own',
    async () => {
      const own = getPriority();
      const hash = await threads.hash('pw');
      // Two at once: the second goes to the idle worker, so both threads start.
      expect(await Promise.all([threads.verify(hash, 'pw'), threads.verify(hash, 'no')])).toEqual([
        true,
        false,
      ]);
      const ids = await threads.runningThreadIds();
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
      for (const id of ids) {
        expect(id).not.toBe(process.pid);
        expect(getPriority(id!)).toBe(Math.min(19, own + HASHING_THREAD_NICE));
      }
      expect(getPriority()).toBe(own);
    },
  );

  it('when every thread holds a running and a waiting job then a further job runs on libuv pool rather than wait, and every job is answered', async () => {
    const single = new HashingThreads(1);
    try {
      const hash = await single.hash('pw');
      expect(single.jobsSentToThreads).toBe(1);
      const verdicts = await Promise.all([
        single.verify(hash, 'pw'),
        single.verify(hash, 'no'),
        single.verify(hash, 'pw'),
        single.verify(hash, 'wrong'),
      ]);
      expect(verdicts).toEqual([true, false, true, false]);
      // The first two went to the thread (one ran, one waited there); the others ran beside
      // them on libuv's pool.
      expect(single.jobsSentToThreads).toBe(3);
      expect(await single.runningThreadIds()).toHaveLength(1);
    } finally {
      await single.close();
    }
  });

  it('answers the jobs of workers stopped under them, on libuv pool', async () => {
    const hash = await threads.hash('pw');
    const answers = Promise.all([
      threads.verify(hash, 'pw'),
      threads.verify(hash, 'wrong'),
      threads.hash('another'),
    ]);
    await threads.close();
    const [right, wrong, another] = await answers;
    expect([right, wrong]).toEqual([true, false]);
    expect(await verifyOnLibuvPool(another as string, 'another')).toBe(true);
    // Jobs asked for afterwards start new workers.
    expect(await threads.verify(hash, 'pw')).toBe(true);
    expect(await threads.runningThreadIds()).toHaveLength(1);
  });
});
