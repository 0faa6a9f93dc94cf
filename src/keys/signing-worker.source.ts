/**
 * The code of a signing worker thread, as source text: the worker runs it
 * with `eval: true`, so the same code serves the compiled service and the
 * TypeScript sources the tests load (a worker cannot load a .ts file).
 *
 * It receives batches { id, keys: KeyObject[], jobs: [input, keyIndex,
 * digest, options][] } and answers { id, results } with one entry per job,
 * in order: [signature in base64url] or [undefined, error message]. A job
 * that cannot be signed fails alone.
 */
export const SIGNING_WORKER_SOURCE = `
const { sign } = require('node:crypto');
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, keys, jobs }) => {
  const results = jobs.map(([input, keyIndex, digest, options]) => {
    try {
      return [sign(digest, Buffer.from(input), { key: keys[keyIndex], ...options }).toString('base64url')];
    } catch (error) {
      return [undefined, String((error && error.message) || error)];
    }
  });
  parentPort.postMessage({ id, results });
});
`;
