/**
 * The code of a signing worker thread, as source text: the worker runs it
 * with `eval: true`, so the same code serves the compiled service and the
 * TypeScript sources the tests load (a worker cannot load a .ts file).
 *
 * It receives batches { id, keys: KeyObject[], jobs: [input, keyIndex,
 * digest, options][] } and answers { id, signatures } with each signature
 * base64url-encoded, or { id, error } when the batch could not be signed.
 */
export const SIGNING_WORKER_SOURCE = `
const { sign } = require('node:crypto');
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, keys, jobs }) => {
  try {
    const signatures = jobs.map(([input, keyIndex, digest, options]) =>
      sign(digest, Buffer.from(input), { key: keys[keyIndex], ...options }).toString('base64url'),
    );
    parentPort.postMessage({ id, signatures });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;
