import { Worker } from 'node:worker_threads';
import { WorkerThreads } from './worker-threads.js';

// Doubles a number after `delay` ms; exits on 'crash'; first says hello (a message without an id).
const ECHO_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.postMessage({ hello: true });
parentPort.on('message', ({ id, value, delay }) => {
  if (value === 'crash') process.exit(3);
  setTimeout(() => parentPort.postMessage({ id, doubled: value * 2 }), delay);
});
`;

interface Work {
  readonly value: number | 'crash';
  readonly answered: (how: string) => void;
}

function pool(size: number) {
  const threads = new WorkerThreads<Work, { id: number; doubled: number }>({
    size,
    start: () => new Worker(ECHO_SOURCE, { eval: true }),
    settle: (work, answer) => work.answered(`thread ${answer.doubled}`),
    fallback: (work) => work.answered(`fallback ${work.value}`),
  });
  const ask = (value: number | 'crash', delay = 0) =>
    new Promise<string>((answered) =>
      threads.send({ value, answered }, (id) => ({ id, value, delay })),
    );
  return { threads, ask };
}

describe('WorkerThreads', () => {
  it('starts threads as work needs them, up to its size, each answer to its own work', async () => {
    const { threads, ask } = pool(3);
    try {
      expect(threads.running).toHaveLength(0);
      expect(await ask(1)).toBe('thread 2');
      expect(threads.running).toHaveLength(1);
      // Four at once on three threads: the idle ones start, the fourth waits behind one.
      const answers = await Promise.all([10, 20, 30, 40].map((value) => ask(value, 20)));
      expect(answers).toEqual(['thread 20', 'thread 40', 'thread 60', 'thread 80']);
      expect(threads.running).toHaveLength(3);
    } finally {
      await threads.close();
    }
  });

  it('has a thread with fewer than n in flight while one is yet to start or holds fewer', async () => {
    const { threads, ask } = pool(2);
    try {
      expect(threads.hasThreadWithFewerThan(1)).toBe(true);
      const first = ask(1, 200);
      expect(threads.hasThreadWithFewerThan(1)).toBe(true);
      const second = ask(2, 200);
      expect(threads.hasThreadWithFewerThan(1)).toBe(false);
      expect(threads.hasThreadWithFewerThan(2)).toBe(true);
      const third = ask(3, 200);
      const fourth = ask(4, 200);
      expect(threads.hasThreadWithFewerThan(2)).toBe(false);
      await Promise.all([first, second, third, fourth]);
      expect(threads.hasThreadWithFewerThan(1)).toBe(true);
    } finally {
      await threads.close();
    }
  });

  it('when a thread dies with work in flight then that work goes to the fallback, and the next work starts a new thread', async () => {
    const { threads, ask } = pool(1);
    try {
      const slow = ask(5, 500);
      const crash = ask('crash');
      expect(await Promise.all([slow, crash])).toEqual(['fallback 5', 'fallback crash']);
      expect(await ask(7)).toBe('thread 14');
      expect(threads.running).toHaveLength(1);
    } finally {
      await threads.close();
    }
  });

  it('when threads fail before answering anything, three in a row, then it starts no more and all work goes to the fallback', async () => {
    let starts = 0;
    const threads = new WorkerThreads<Work, { id: number; doubled: number }>({
      size: 1,
      start: () => {
        starts++;
        return new Worker("throw new Error('a module that cannot load')", { eval: true });
      },
      settle: (work, answer) => work.answered(`thread ${answer.doubled}`),
      fallback: (work) => work.answered(`fallback ${work.value}`),
    });
    try {
      for (const value of [1, 2, 3, 4, 5]) {
        const answer = await new Promise<string>((answered) =>
          threads.send({ value, answered }, (id) => ({ id, value, delay: 0 })),
        );
        expect(answer).toBe(`fallback ${value}`);
      }
      expect(starts).toBe(3);
      expect(threads.running).toHaveLength(0);
    } finally {
      await threads.close();
    }
  });

  it('when closed with work in flight then that work goes to the fallback', async () => {
    const { threads, ask } = pool(2);
    const pending = [ask(1, 500), ask(2, 500)];
    await threads.close();
    expect(await Promise.all(pending)).toEqual(['fallback 1', 'fallback 2']);
    expect(threads.running).toHaveLength(0);
  });
});
