/**
 * The code of a signing worker thread, as source text: the worker runs it
 * with `eval: true`, so the same code serves the compiled service and the
 * TypeScript sources the tests load (a worker cannot load a .ts file).
 *
 * It receives batches { id, keys: KeyObject[], jobs: [input, keyIndex,
 * digest, options, signature][] } and answers { id, results } with one
 * entry per job, in order. A job without a signature (null) is signed:
 * [signature in base64url] or [undefined, error message], and one that
 * cannot be signed fails alone. A job with one is verified: [true] or
 * [false], and one that cannot be verified (a malformed signature) is false.
 */
export const SIGNING_WORKER_SOURCE = `
const { sign, verify } = require('node:crypto');
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, keys, jobs }) => {
  const results = jobs.map(([input, keyIndex, digest, options, signature]) => {
    const key = { key: keys[keyIndex], ...options };
    if (signature !== null) {
      try {
        return [verify(digest, Buffer.from(input), key, Buffer.from(signature, 'base64url'))];
      } catch {
        return [false];
      }
    }
    try {
      return [sign(digest, Buffer.from(input), key).toString('base64url')];
    } catch (error) {
      return [undefined, String((error && error.message) || error)];
    }
  });
  parentPort.postMessage({ id, results });
});
`;
