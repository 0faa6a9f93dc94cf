/**
 * The code of a signing worker thread, as source text: the worker runs it
 * with `eval: true`, so the same code serves the compiled service and the
 * TypeScript sources the tests load (a worker cannot load a .ts file).
 *
 * A batch is { id, keys: KeyObject[], methods: { digest, options }[],
 * refs: Uint16Array, texts: string }: job n uses keys[refs[2n]] and
 * methods[refs[2n + 1]], and texts holds, joined by line feeds, each job's
 * input then its signature ('' for a job to sign). One string and one typed
 * array clone several times faster than an array of jobs (measured: 1.3
 * against 7 to 9 µs a message of ten jobs). The answer is { id, results }:
 * one line per job, in order: '+' and the signature in base64url, or '!'
 * and why it could not be signed (that job fails alone); for a job to
 * verify, 'T' or 'F' (a signature that cannot even be checked is 'F').
 */
export const SIGNING_WORKER_SOURCE = `
const { sign, verify } = require('node:crypto');
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, keys, methods, refs, texts }) => {
  const lines = texts.split('\\n');
  const results = [];
  for (let job = 0; job < refs.length / 2; job++) {
    const { digest, options } = methods[refs[2 * job + 1]];
    const key = { key: keys[refs[2 * job]], ...options };
    const input = Buffer.from(lines[2 * job]);
    const signature = lines[2 * job + 1];
    if (signature !== '') {
      try {
        results.push(verify(digest, input, key, Buffer.from(signature, 'base64url')) ? 'T' : 'F');
      } catch {
        results.push('F');
      }
      continue;
    }
    try {
      results.push('+' + sign(digest, input, key).toString('base64url'));
    } catch (error) {
      results.push('!' + String((error && error.message) || error).replace(/\\n/g, ' '));
    }
  }
  parentPort.postMessage({ id, results: results.join('\\n') });
});
`;
