#!/usr/bin/env node
// Timing side channels of client and user authentication, measured against a
// running service (not a test: timings are noisy, so this reports, it does not assert).
//
//   ISSUER=http://localhost:3000 ADMIN_CLIENT_ID=admin ADMIN_CLIENT_SECRET=... \
//     node bench/timing.mjs [tries per case, default 400]
//
// For each pair of cases that must be indistinguishable (an unknown client
// against a known client with a wrong secret; an unknown user against a wrong
// password) it sends the tries interleaved, after a warm-up, and prints the
// medians, the difference and a two-sided Mann-Whitney U test. A p-value
// below 0.01 with a difference above a few percent is a finding to look at.
// The login page takes the same UsersService.verifyPassword as the password
// grant but locks an account after five failures, so it is measured through
// the password grant.

const issuer = (process.env.ISSUER ?? 'http://localhost:3000').replace(/\/$/, '');
const adminId = process.env.ADMIN_CLIENT_ID;
const adminSecret = process.env.ADMIN_CLIENT_SECRET;
const tries = Number(process.argv[2] ?? 400);
if (!adminId || !adminSecret) {
  console.error('set ADMIN_CLIENT_ID and ADMIN_CLIENT_SECRET (the bootstrap admin client)');
  process.exit(2);
}

const basic = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function post(path, params, headers = {}) {
  const response = await fetch(`${issuer}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: await response.text() };
}

async function admin(method, path, body) {
  const token = JSON.parse(
    (
      await post(
        '/token',
        { grant_type: 'client_credentials', scope: 'admin' },
        { authorization: basic(adminId, adminSecret) },
      )
    ).body,
  ).access_token;
  const response = await fetch(`${issuer}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** One timed request, in milliseconds. */
async function timed(send) {
  const started = process.hrtime.bigint();
  const result = await send();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Two-sided Mann-Whitney U test, normal approximation with tie correction: { u, z, p }. */
function mannWhitney(a, b) {
  const all = [...a.map((v) => [v, 0]), ...b.map((v) => [v, 1])].sort((x, y) => x[0] - y[0]);
  const ranks = new Array(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1][0] === all[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const rankSumA = all.reduce((sum, [, group], index) => (group === 0 ? sum + ranks[index] : sum), 0);
  const n1 = a.length;
  const n2 = b.length;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = sd === 0 ? 0 : (u - mean) / sd;
  return { u, z, p: 2 * (1 - normalCdf(Math.abs(z))) };
}

function normalCdf(x) {
  // Abramowitz and Stegun 7.1.26.
  const t = 1 / (1 + 0.3275911 * (x / Math.SQRT2));
  const erf =
    1 -
    (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-((x / Math.SQRT2) ** 2)));
  return 0.5 * (1 + erf);
}

async function compare(name, left, right) {
  for (let i = 0; i < 20; i++) await Promise.all([left.send(), right.send()]).catch(() => {});
  const samples = { [left.label]: [], [right.label]: [] };
  const answers = { [left.label]: new Set(), [right.label]: new Set() };
  for (let i = 0; i < tries; i++) {
    // Interleaved, in alternating order, so that drift hits both cases alike.
    const order = i % 2 === 0 ? [left, right] : [right, left];
    for (const item of order) {
      const { ms, result } = await timed(item.send);
      samples[item.label].push(ms);
      answers[item.label].add(`${result.status} ${result.body}`);
    }
  }
  const a = samples[left.label];
  const b = samples[right.label];
  const { z, p } = mannWhitney(a, b);
  const ma = median(a);
  const mb = median(b);
  const same = [...answers[left.label]].join() === [...answers[right.label]].join();
  console.log(`\n${name} (${tries} tries each)`);
  console.log(`  ${left.label.padEnd(34)} median ${ma.toFixed(3)} ms`);
  console.log(`  ${right.label.padEnd(34)} median ${mb.toFixed(3)} ms`);
  console.log(
    `  difference ${(ma - mb).toFixed(3)} ms (${(((ma - mb) / mb) * 100).toFixed(1)} %), ` +
      `Mann-Whitney z = ${z.toFixed(2)}, p = ${p.toExponential(2)} ` +
      `${p < 0.01 ? '→ distinguishable at 1 %' : '→ not distinguishable at 1 %'}`,
  );
  console.log(`  answers identical: ${same ? 'yes' : `NO: ${[...answers[left.label]]} / ${[...answers[right.label]]}`}`);
  return { name, medians: [ma, mb], z, p, sameAnswers: same };
}

const suffix = Math.random().toString(36).slice(2, 8);
const client = await admin('POST', '/admin/clients', {
  client_id: `timing-${suffix}`,
  grant_types: ['client_credentials', 'password'],
  scope: 'read',
});
const postClient = await admin('POST', '/admin/clients', {
  client_id: `timing-post-${suffix}`,
  grant_types: ['client_credentials'],
  token_endpoint_auth_method: 'client_secret_post',
});
const username = `timing-user-${suffix}`;
await admin('POST', '/admin/users', { username, password: 'correct horse battery staple' });

const results = [];
results.push(
  await compare(
    'client_secret_basic at /token',
    {
      label: 'unknown client',
      send: () =>
        post('/token', { grant_type: 'client_credentials' }, { authorization: basic(`nobody-${suffix}`, 'wrong-secret') }),
    },
    {
      label: 'known client, wrong secret',
      send: () =>
        post('/token', { grant_type: 'client_credentials' }, { authorization: basic(client.client_id, 'wrong-secret') }),
    },
  ),
);
results.push(
  await compare(
    'client_secret_post at /token',
    {
      label: 'unknown client',
      send: () =>
        post('/token', { grant_type: 'client_credentials', client_id: `nobody-${suffix}`, client_secret: 'wrong' }),
    },
    {
      label: 'known client, wrong secret',
      send: () =>
        post('/token', { grant_type: 'client_credentials', client_id: postClient.client_id, client_secret: 'wrong' }),
    },
  ),
);
results.push(
  await compare(
    'password grant (the login page checks passwords the same way)',
    {
      label: 'unknown user',
      send: () =>
        post(
          '/token',
          { grant_type: 'password', username: `nobody-${suffix}`, password: 'wrong password' },
          { authorization: basic(client.client_id, client.client_secret) },
        ),
    },
    {
      label: 'known user, wrong password',
      send: () =>
        post(
          '/token',
          { grant_type: 'password', username, password: 'wrong password' },
          { authorization: basic(client.client_id, client.client_secret) },
        ),
    },
  ),
);
console.log(`\n${JSON.stringify({ issuer, tries, results })}`);
