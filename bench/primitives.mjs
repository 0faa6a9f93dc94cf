// The raw rates the targets are stated against, measured on this
// machine in the same run, in the slot of a peer (alternating with the
// service's runs, while the servers are idle):
//   rs256     RS256 signatures per second with node:crypto on one core (the
//             service signs on its main thread)
//   es256     the same for ES256
//   argon2id  argon2id verifications per second with @node-rs/argon2 at its
//             defaults (the service's PasswordHasher), as many in flight as the
//             thread pool takes
//
//   node bench/primitives.mjs KIND SECONDS   → one line of JSON on stdout, shaped like bench/load.mjs's
import { hash, verify } from '@node-rs/argon2';
import { generateKeyPairSync, sign } from 'node:crypto';

const [kind, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 2);
// About the size of an access token's signing input.
const data = Buffer.from('x'.repeat(320));

function syncRate(operation) {
  for (let i = 0; i < 50; i++) operation();
  const started = performance.now();
  const end = started + seconds * 1000;
  let count = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 10; i++) operation();
    count += 10;
  }
  return { count, elapsed: (performance.now() - started) / 1000 };
}

async function argon2Rate() {
  const password = 'correct horse battery staple';
  const passwordHash = await hash(password);
  const inFlight = 2 * Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  let count = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        if (!(await verify(passwordHash, password))) throw new Error('argon2 verify failed');
        count++;
      }
    }),
  );
  return { count, elapsed: (performance.now() - started) / 1000 };
}

let measured;
if (kind === 'rs256') {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  measured = syncRate(() => sign('sha256', data, key));
} else if (kind === 'es256') {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  measured = syncRate(() => sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }));
} else if (kind === 'argon2id') {
  measured = await argon2Rate();
} else {
  console.error('usage: node bench/primitives.mjs rs256|es256|argon2id SECONDS');
  process.exit(2);
}

console.log(
  JSON.stringify({
    requestsPerSecond: measured.count / measured.elapsed,
    total: measured.count,
    duration: measured.elapsed,
    latency: {},
    non2xx: 0,
    connectionErrors: 0,
    timeouts: 0,
    checked: 0,
    invalid: measured.count === 0 ? 1 : 0,
    invalidSamples: measured.count === 0 ? ['nothing completed'] : [],
  }),
);
