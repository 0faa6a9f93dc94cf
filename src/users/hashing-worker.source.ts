/**
 * The code of a password-hashing worker thread, as source text: the worker
 * runs it with `eval: true`, so the same code serves the compiled service and
 * the TypeScript sources the tests load (a worker cannot load a .ts file).
 * workerData is { argon2: the resolved path of @node-rs/argon2, nice }.
 *
 * The thread first lowers its own scheduling priority by `nice` (Linux keeps
 * a nice value per thread; lowering one's own needs no privilege), so that
 * the event loop and the signing threads, at the usual priority, take a core
 * from it whenever they need one. It then answers one job per message, in
 * order: { id, password, hash } verifies `password` against `hash`, or, with
 * hash null, hashes it; the answer is { id, result } or { id, error }. Its
 * first message is { threadId }: the thread's id, or null where its priority
 * could not be lowered (not Linux).
 */
export const HASHING_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readlinkSync } = require('node:fs');
const { getPriority, setPriority } = require('node:os');
let threadId = null;
try {
  // /proc/thread-self links to <pid>/task/<tid>; a /proc of another PID namespace would name
  // some other task, so the link must name this process.
  const [pid, task, tid] = readlinkSync('/proc/thread-self').split('/');
  if (Number(pid) === process.pid && task === 'task' && /^[0-9]+$/.test(tid)) {
    setPriority(Number(tid), Math.min(19, getPriority(Number(tid)) + workerData.nice));
    threadId = Number(tid);
  }
} catch {
  threadId = null;
}
const { hashSync, verifySync } = require(workerData.argon2);
parentPort.postMessage({ threadId });
parentPort.on('message', ({ id, password, hash }) => {
  try {
    const result = hash === null ? hashSync(password) : verifySync(hash, password);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;
