// npm run bench: this service against node-oidc-provider (and a lean
// Fastify + jose ceiling) in the same run. See README.md, "Benchmark".
//
// Settings (environment):
//   BENCH_DURATION     seconds per timed run (default 4)
//   BENCH_RUNS         timed runs per server and scenario (default 3)
//   BENCH_WARMUP       seconds of warm-up per server and scenario (default 2)
//   BENCH_CONNECTIONS  concurrent connections (default 50)
//   BENCH_SCENARIOS    comma-separated scenario names to run (default: all)
//   BENCH_DATABASE_URL postgres://… to run the service on PostgreSQL (default: a fresh SQLite file)
//   BENCH_CPU_PROF     1: run the service with --cpu-prof (profile in bench/results/profiles/)
//   BENCH_NODE_OPTIONS NODE_OPTIONS for the service only (e.g. --import a probe)
//   BENCH_SKIP_BUILD   1: use dist/ as it is
//   BENCH_SCALE_ROWS   stored grants in the scale scenarios' database (default 1000000)
//   BENCH_SWEEP_SECONDS length of the sweep scenario's sustained load (default 150; the
//                      scenario runs only when BENCH_SCENARIOS names it)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { probe } from './checks.mjs';
import {
  ensureBuilt,
  freePort,
  cpuMicros,
  rssMiB,
  runJson,
  serviceNodeFlags,
  startServer,
  stopAll,
  waitForHttp,
} from './processes.mjs';
import { assertionBodies, assertionKey } from './assertions.mjs';
import { countGrants, fillGrants, siblingPostgresDatabase } from './filler.mjs';
import { markdownTable, summarize } from './report.mjs';
import { pkcePair, UserAgent } from './user-agent.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

const numberSetting = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const settings = {
  duration: numberSetting('BENCH_DURATION', 4),
  runs: Math.round(numberSetting('BENCH_RUNS', 3)),
  warmup: numberSetting('BENCH_WARMUP', 2),
  connections: Math.round(numberSetting('BENCH_CONNECTIONS', 50)),
  scenarios: process.env.BENCH_SCENARIOS?.split(',')
    .map((name) => name.trim())
    .filter(Boolean),
  database: process.env.BENCH_DATABASE_URL ? 'postgres' : 'sqlite',
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
  scaleRows: Math.round(numberSetting('BENCH_SCALE_ROWS', 1_000_000)),
  sweepSeconds: Math.round(numberSetting('BENCH_SWEEP_SECONDS', 150)),
};

const REDIRECT_URI = 'https://rp.example.test/cb';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const RESOURCE = 'urn:bench:api';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const formEncode = (value) => new URLSearchParams({ v: value }).toString().slice(2);
const form = (params) => new URLSearchParams(params).toString();
const basic = (id, secret) => ({
  authorization: `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`,
});
const random = () => randomBytes(24).toString('base64url');

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8'))
      .version;
  } catch {
    return undefined;
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

const loadAverage = () => os.loadavg().map((value) => Math.round(value * 100) / 100);

// ---------------------------------------------------------------- servers

/** Our service on a database of its own: BENCH_DATABASE_URL's, or a fresh SQLite file in `work`. */
async function startOurs(work, { name = 'bench', databaseUrl } = {}) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const admin = { id: 'bench-admin', secret: random() };
  const profileDir = path.join(here, 'results', 'profiles');
  if (settings.cpuProfile) mkdirSync(profileDir, { recursive: true });
  const child = startServer(
    `the service (${name})`,
    [
      ...serviceNodeFlags(root),
      ...(settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      path.join(root, 'dist/src/main.js'),
    ],
    {
      cwd: work, // no .env from the work tree
      logFile: path.join(work, `service-${name}.log`),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
        PORT: String(port),
        ISSUER: issuer,
        DATABASE_URL: databaseUrl,
        ADMIN_CLIENT_ID: admin.id,
        ADMIN_CLIENT_SECRET: admin.secret,
        KEY_ENCRYPTION_SECRET: random(),
      },
    },
  );
  await waitForHttp(`${issuer}/.well-known/openid-configuration`);
  const token = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { ...FORM, ...basic(admin.id, admin.secret) },
    body: form({ grant_type: 'client_credentials', scope: 'admin' }),
  }).then((response) => response.json());
  const adminPost = async (pathname, body) => {
    const response = await fetch(`${issuer}${pathname}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token.access_token}`,
      },
      body: JSON.stringify(body),
    });
    const json = await response.json();
    if (response.status !== 201)
      throw new Error(`${pathname}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    label: 'ours',
    url: issuer,
    issuer,
    databaseUrl,
    pid: child.pid,
    jwksPath: '/jwks',
    paths: {
      token: '/token',
      introspect: '/introspect',
      authorize: '/authorize',
      deviceAuthorization: '/device_authorization',
      userinfo: '/userinfo',
      revoke: '/revoke',
    },
    adminPost,
  };
}

/** The database of the main instance of ours. */
const mainDatabaseUrl = (work) =>
  process.env.BENCH_DATABASE_URL ?? `sqlite:${path.join(work, 'bench.sqlite')}`;

/** Things to undo when the benchmark ends (databases it created). */
const cleanups = [];

/**
 * A second instance of ours whose database holds BENCH_SCALE_ROWS stored
 * grants, with the clients the scale scenarios use; started once, when a
 * scale scenario first needs it.
 */
async function startScaled(work) {
  let databaseUrl = `sqlite:${path.join(work, 'scaled.sqlite')}`;
  if (process.env.BENCH_DATABASE_URL) {
    const sibling = await siblingPostgresDatabase(process.env.BENCH_DATABASE_URL, 'scaled');
    cleanups.push(() => sibling.drop());
    databaseUrl = sibling.url;
  }
  const scaled = await startOurs(work, { name: 'scaled', databaseUrl });
  const seconds = await fillGrants(databaseUrl, settings.scaleRows);
  console.log(
    `  scaled instance ${scaled.url}: ${settings.scaleRows.toLocaleString('en-US')} stored grants written in ${seconds.toFixed(1)} s`,
  );
  const clients = await registerClients(scaled);
  return { server: { ...scaled, label: 'ours' }, clients: clients.oursClients };
}

async function startPeer(work, clients) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const child = startServer('node-oidc-provider', [path.join(here, 'peer-oidc-provider.mjs')], {
    cwd: work,
    logFile: path.join(work, 'oidc-provider.log'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      BENCH_PEER_CONFIG: JSON.stringify({ port, issuer, clients }),
    },
  });
  await waitForHttp(`${issuer}/.well-known/openid-configuration`);
  return {
    label: 'oidc-provider',
    url: issuer,
    issuer,
    pid: child.pid,
    jwksPath: '/jwks',
    paths: {
      token: '/token',
      introspect: '/token/introspection',
      authorize: '/auth',
      deviceAuthorization: '/device/auth',
      userinfo: '/me',
      revoke: '/token/revocation',
    },
  };
}

async function startCeiling(work, clients, users, assertion) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const child = startServer('the ceiling', [path.join(here, 'ceiling-server.mjs')], {
    cwd: work,
    logFile: path.join(work, 'ceiling.log'),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      BENCH_CEILING_CONFIG: JSON.stringify({
        port,
        issuer,
        clients,
        users,
        assertionIssuers: [{ issuer: assertion.issuer, jwk: assertion.publicJwk }],
      }),
    },
  });
  await waitForHttp(`${issuer}/jwks`);
  return {
    label: 'ceiling',
    url: issuer,
    issuer,
    pid: child.pid,
    jwksPath: '/jwks',
    paths: { token: '/token', introspect: '/introspect' },
  };
}

// ---------------------------------------------------------------- fixtures

async function tokenOf(server, credentials, params) {
  const response = await fetch(`${server.url}${server.paths.token}`, {
    method: 'POST',
    headers: { ...FORM, ...credentials },
    body: form(params),
  });
  const json = await response.json();
  if (response.status !== 200) throw new Error(`${server.label} token: ${JSON.stringify(json)}`);
  return json;
}

/** The timed request of a scenario on one server, and how to check its answers. */
function target(server, request, check, extra = {}) {
  return { server, request: { headers: {}, ...request }, check, ...extra };
}

function codeRedemption(server, agent, client, scope, extra) {
  const credentials = basic(client.id, client.secret);
  return async (count) => {
    const codes = await agent.mintCodes(
      {
        authorizePath: server.paths.authorize,
        clientId: client.id,
        redirectUri: REDIRECT_URI,
        scope,
        extra,
      },
      count,
      Date.now() + MINT_SECONDS * 1000,
    );
    return { credentials, codes };
  };
}

/** Signed-in browsers walking device approvals side by side (node-oidc-provider keeps one walk per session). */
const DEVICE_APPROVERS = 8;

/**
 * Device codes the user has approved (RFC 8628): each asked for at the
 * device authorization endpoint, then approved at its
 * verification_uri_complete by one of `agents` (entering the code, signing
 * in the first time, allowing on the consent page that is shown for every
 * code), until `count` are or MINT_SECONDS pass.
 */
function deviceRedemption(server, agents, client) {
  const credentials = basic(client.id, client.secret);
  return async (count) => {
    const deadline = Date.now() + MINT_SECONDS * 1000;
    const codes = [];
    let started = 0;
    // One failed approval stops every agent, so none goes on loading the server after the error.
    let failed = false;
    await Promise.all(
      agents.map(async (agent) => {
        while (!failed && started < count && Date.now() < deadline) {
          started++;
          try {
            const response = await fetch(`${server.url}${server.paths.deviceAuthorization}`, {
              method: 'POST',
              headers: { ...FORM, ...credentials },
              body: form({ scope: 'api' }),
            });
            const json = await response.json();
            if (response.status !== 200)
              throw new Error(`${server.label} device authorization: ${JSON.stringify(json)}`);
            await agent.approveDevice(json.verification_uri_complete, json.user_code);
            codes.push(json.device_code);
          } catch (error) {
            failed = true;
            throw error;
          }
        }
      }),
    );
    return { credentials, codes };
  };
}

async function buildScenarios(ours, peer, ceiling, secrets, work) {
  const { oursClients, peerClients, ceilingClients, user, assertion } = secrets;
  const ccParams = { grant_type: 'client_credentials', scope: 'api' };
  const cc = form(ccParams);
  const post = (server, pathname, credentials, body) => ({
    method: 'POST',
    path: pathname,
    headers: { ...FORM, ...credentials },
    body,
  });
  const ccTarget = (server, client, check) =>
    target(server, post(server, server.paths.token, basic(client.id, client.secret), cc), {
      kind: 'token',
      clientId: client.id,
      ...check,
    });

  // Tokens to introspect, issued before the scenario by the servers themselves.
  const introspection = async (server, introspector, issuer, check) => {
    const { access_token: token } = await tokenOf(server, basic(issuer.id, issuer.secret), {
      grant_type: 'client_credentials',
      scope: 'api',
    });
    return target(
      server,
      post(
        server,
        server.paths.introspect,
        basic(introspector.id, introspector.secret),
        form({ token, token_type_hint: 'access_token' }),
      ),
      { kind: 'introspection', clientId: issuer.id, ...check },
    );
  };

  const oursAgent = new UserAgent(ours.url, { username: user.username, password: user.password });
  const peerAgent = new UserAgent(peer.url, { username: user.username, password: user.password });

  const codeBody = ({ code, verifier }) =>
    form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
  const deviceCodeBody = (deviceCode) => form({ grant_type: DEVICE_CODE, device_code: deviceCode });
  // Single-use codes minted before each run, one request each.
  const pooled = (server, mint, bodyOf, check) =>
    target(server, { method: 'POST', path: server.paths.token }, check, {
      pool: async (count) => {
        const { credentials, codes } = await mint(count);
        return { headers: { ...FORM, ...credentials }, bodies: codes.map(bodyOf) };
      },
    });
  const approvers = (server) =>
    Array.from(
      { length: DEVICE_APPROVERS },
      () => new UserAgent(server.url, { username: user.username, password: user.password }),
    );

  const rotating = (server, mint, check) =>
    target(server, { method: 'POST', path: server.paths.token }, check, {
      rotate: async (count) => {
        const { credentials, codes } = await mint(count);
        const seeds = await Promise.all(
          codes.map(async ({ code, verifier }) => {
            const tokens = await tokenOf(server, credentials, {
              grant_type: 'authorization_code',
              code,
              redirect_uri: REDIRECT_URI,
              code_verifier: verifier,
            });
            return tokens.refresh_token;
          }),
        );
        return {
          headers: { ...FORM, ...credentials },
          seeds,
          prefix: 'grant_type=refresh_token&refresh_token=',
          field: 'refresh_token',
        };
      },
    });

  const deviceAuthorization = (server, client) =>
    target(
      server,
      post(
        server,
        server.paths.deviceAuthorization,
        basic(client.id, client.secret),
        form({ scope: 'api' }),
      ),
      { kind: 'device-authorization' },
    );
  const get = (server, pathname, check) => target(server, { method: 'GET', path: pathname }, check);
  let scaled;
  const scaledInstance = () => (scaled ??= startScaled(work));
  const passwordBody = form({
    grant_type: 'password',
    username: user.username,
    password: user.password,
    scope: 'api',
  });
  // A fresh assertion in every request's body (bench/assertions.mjs), made by the load generator.
  const withAssertions = (server, credentials, claims, prefix, check) =>
    target(server, post(server, server.paths.token, credentials, undefined), check, {
      assertions: { privateKeyPem: assertion.privateKeyPem, kid: assertion.kid, claims, prefix },
    });
  const jwtBearer = (server, client) =>
    withAssertions(
      server,
      basic(client.id, client.secret),
      { iss: assertion.issuer, sub: 'bench-subject', aud: server.issuer },
      `${form({ grant_type: JWT_BEARER, scope: 'api' })}&assertion=`,
      { kind: 'token', clientId: client.id, jwtAlg: 'ES256' },
    );
  // One subject token per server, issued before the scenario, exchanged by every request.
  const tokenExchange = async (server, client, subjectIssuer) => {
    const { access_token: subjectToken } = await tokenOf(
      server,
      basic(subjectIssuer.id, subjectIssuer.secret),
      { grant_type: 'client_credentials', scope: 'api' },
    );
    const body = form({
      grant_type: TOKEN_EXCHANGE,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      scope: 'api',
    });
    return target(server, post(server, server.paths.token, basic(client.id, client.secret), body), {
      kind: 'token',
      clientId: client.id,
      jwtAlg: 'ES256',
      issuedTokenType: ACCESS_TOKEN_TYPE,
      // Impersonation: the new token is the subject token's subject's.
      subject: decodeJwt(subjectToken).sub,
    });
  };
  // One access token per server from a code redemption with scope openid, presented by every request.
  const userinfo = async (server, agent, client) => {
    const credentials = basic(client.id, client.secret);
    const { codes } = await codeRedemption(server, agent, client, 'openid')(1);
    const tokens = await tokenOf(server, credentials, codeBody(codes[0]));
    return target(
      server,
      {
        method: 'GET',
        path: server.paths.userinfo,
        headers: { authorization: `Bearer ${tokens.access_token}` },
      },
      { kind: 'userinfo', subject: decodeJwt(tokens.id_token).sub },
    );
  };
  // Reference access tokens issued by client_credentials before each run, each revoked once (RFC 7009).
  const revocation = (server, client, introspector) => {
    const credentials = basic(client.id, client.secret);
    const check = {
      kind: 'revocation',
      // The probe introspects the token before (active) and after (inactive) revoking it.
      introspection: {
        path: server.paths.introspect,
        headers: { ...FORM, ...basic(introspector.id, introspector.secret) },
      },
    };
    return target(server, { method: 'POST', path: server.paths.revoke }, check, {
      pool: async (count) => {
        const deadline = Date.now() + MINT_SECONDS * 1000;
        const tokens = [];
        await Promise.all(
          Array.from({ length: Math.min(32, count) }, async () => {
            while (tokens.length < count && Date.now() < deadline) {
              tokens.push((await tokenOf(server, credentials, ccParams)).access_token);
            }
          }),
        );
        return {
          headers: { ...FORM, ...credentials },
          bodies: tokens.map((token) => form({ token, token_type_hint: 'access_token' })),
        };
      },
    });
  };
  // A signed-in user's authorization request, consent given: answered at once, a redirect with a new code.
  const authorizationRequest = async (server, agent, client, extra) => {
    const request = {
      authorizePath: server.paths.authorize,
      clientId: client.id,
      redirectUri: REDIRECT_URI,
      scope: 'openid api',
      extra,
    };
    // Signs in and consents, if the agent has not yet.
    await agent.mintCodes(request, 1);
    const url = agent.authorizationUrl(request, pkcePair().challenge);
    return target(
      server,
      {
        method: 'GET',
        path: `${url.pathname}${url.search}`,
        headers: { cookie: agent.cookieHeader() },
      },
      {
        kind: 'authorization-redirect',
        // Both servers answer a GET with 303 See Other.
        status: 303,
        redirectUri: REDIRECT_URI,
        state: url.searchParams.get('state'),
      },
    );
  };
  // A raw rate measured in a peer's slot (bench/primitives.mjs), not a server.
  const primitive = (kind) => ({ server: { label: kind }, primitive: kind });

  return [
    {
      name: 'cc-es256',
      title: 'client_credentials, JWT access token ES256',
      does: 'POST /token, grant_type=client_credentials, client_secret_basic; an RFC 9068 JWT signed ES256',
      targets: async () => ({
        ours: ccTarget(ours, oursClients.ccEs256, { jwtAlg: 'ES256' }),
        'oidc-provider': ccTarget(peer, peerClients.ccEs256, { jwtAlg: 'ES256' }),
        ceiling: ccTarget(ceiling, ceilingClients.cc, { jwtAlg: 'ES256' }),
      }),
    },
    {
      name: 'cc-rs256',
      title: 'client_credentials, JWT access token RS256',
      does: 'as above, signed RS256 (2048-bit key)',
      targets: async () => ({
        ours: ccTarget(ours, oursClients.ccRs256, { jwtAlg: 'RS256' }),
        'oidc-provider': ccTarget(peer, peerClients.ccRs256, { jwtAlg: 'RS256' }),
        'rs256-sign': primitive('rs256'),
      }),
    },
    {
      name: 'cc-reference',
      title: 'client_credentials, reference token',
      does: 'as above, an opaque token stored server-side (ours: SQLite/PostgreSQL row; oidc-provider: its in-memory adapter)',
      targets: async () => ({
        ours: ccTarget(ours, oursClients.ccRef, {}),
        'oidc-provider': ccTarget(peer, peerClients.ccRef, {}),
      }),
    },
    {
      name: 'refresh',
      title: 'refresh_token rotation',
      does: 'POST /token, grant_type=refresh_token; each connection presents the refresh token of its previous answer (one-time use, rotated); JWT ES256 access token',
      targets: async () => ({
        ours: rotating(ours, codeRedemption(ours, oursAgent, oursClients.rt, 'api'), {
          kind: 'token',
          clientId: oursClients.rt.id,
          jwtAlg: 'ES256',
          refresh: true,
        }),
        'oidc-provider': rotating(
          peer,
          codeRedemption(peer, peerAgent, peerClients.rt, 'api', { resource: RESOURCE }),
          { kind: 'token', clientId: peerClients.rt.id, jwtAlg: 'ES256', refresh: true },
        ),
      }),
    },
    {
      name: 'introspect-reference',
      title: 'introspection, reference token',
      does: 'POST /introspect (oidc-provider: /token/introspection) by a resource-server client, of a reference token issued by client_credentials',
      targets: async () => ({
        ours: await introspection(ours, oursClients.rs, oursClients.ccRef, {}),
        'oidc-provider': await introspection(peer, peerClients.rs, peerClients.ccRef, {}),
      }),
    },
    {
      name: 'introspect-jwt',
      title: 'introspection, JWT access token',
      does: 'as above, of an ES256 JWT; oidc-provider refuses this ("Structured JWT Tokens cannot be introspected"), so the peer is the ceiling (jose jwtVerify)',
      targets: async () => ({
        ours: await introspection(ours, oursClients.rs, oursClients.ccEs256, {}),
        ceiling: await introspection(ceiling, ceilingClients.rs, ceilingClients.cc, {}),
      }),
    },
    {
      name: 'password',
      title: 'password grant',
      does: 'POST /token, grant_type=password (argon2id verify, 19 MiB, t=2); JWT ES256; oidc-provider has no password grant, so the peer is the ceiling (the same argon2id verify + jose)',
      targets: async () => {
        const body = form({
          grant_type: 'password',
          username: user.username,
          password: user.password,
          scope: 'api',
        });
        return {
          ours: target(
            ours,
            post(ours, '/token', basic(oursClients.password.id, oursClients.password.secret), body),
            {
              kind: 'token',
              clientId: oursClients.password.id,
              jwtAlg: 'ES256',
            },
          ),
          ceiling: target(
            ceiling,
            post(ceiling, '/token', basic(ceilingClients.cc.id, ceilingClients.cc.secret), body),
            {
              kind: 'token',
              clientId: ceilingClients.cc.id,
              jwtAlg: 'ES256',
            },
          ),
          'argon2id-verify': primitive('argon2id'),
        };
      },
    },
    {
      name: 'jwks',
      title: 'JWKS',
      does: 'GET /jwks',
      targets: async () => ({
        ours: get(ours, '/jwks', { kind: 'jwks' }),
        'oidc-provider': get(peer, '/jwks', { kind: 'jwks' }),
      }),
    },
    {
      name: 'discovery',
      title: 'discovery',
      does: 'GET /.well-known/openid-configuration',
      targets: async () => ({
        ours: get(ours, '/.well-known/openid-configuration', {
          kind: 'discovery',
          issuer: ours.issuer,
        }),
        'oidc-provider': get(peer, '/.well-known/openid-configuration', {
          kind: 'discovery',
          issuer: peer.issuer,
        }),
      }),
    },
    {
      name: 'authorize',
      title: 'authorization request of a signed-in user (code, PKCE)',
      does: 'GET /authorize (oidc-provider: /auth), response_type=code with PKCE S256, scope openid api, with the session cookie of a user who signed in and consented before the runs (the same request every time): a 303 to the client with a new code, stored (ours: a database row; oidc-provider: its in-memory adapter)',
      targets: async () => ({
        ours: await authorizationRequest(ours, oursAgent, oursClients.code, {}),
        'oidc-provider': await authorizationRequest(peer, peerAgent, peerClients.code, {
          resource: RESOURCE,
        }),
      }),
    },
    {
      name: 'code',
      title: 'authorization code redemption (PKCE S256)',
      does: 'POST /token, grant_type=authorization_code with code_verifier, scope openid; JWT ES256 access token and ES256 ID token. The codes are minted just before each run through the real authorization endpoint (signed-in session, consent given once), one per request',
      targets: async () => ({
        ours: pooled(
          ours,
          codeRedemption(ours, oursAgent, oursClients.code, 'openid api'),
          codeBody,
          { kind: 'token', clientId: oursClients.code.id, jwtAlg: 'ES256', idToken: true },
        ),
        'oidc-provider': pooled(
          peer,
          codeRedemption(peer, peerAgent, peerClients.code, 'openid api', { resource: RESOURCE }),
          codeBody,
          { kind: 'token', clientId: peerClients.code.id, jwtAlg: 'ES256', idToken: true },
        ),
      }),
    },
    {
      name: 'device-authorization',
      title: 'device authorization request (RFC 8628)',
      does: 'POST /device_authorization (oidc-provider: /device/auth), client_secret_basic, scope api: a new device code and user code, stored (ours: two database rows; oidc-provider: its in-memory adapter)',
      targets: async () => ({
        ours: deviceAuthorization(ours, oursClients.device),
        'oidc-provider': deviceAuthorization(peer, peerClients.device),
      }),
    },
    {
      name: 'device',
      title: 'device code redemption (RFC 8628)',
      does: 'POST /token, grant_type=urn:ietf:params:oauth:grant-type:device_code, client_secret_basic; JWT ES256 access token. The device codes are approved just before each run through the real verification page by 8 signed-in sessions (code entered, consent given for every code), one per request',
      targets: async () => ({
        ours: pooled(
          ours,
          deviceRedemption(ours, approvers(ours), oursClients.device),
          deviceCodeBody,
          { kind: 'token', clientId: oursClients.device.id, jwtAlg: 'ES256' },
        ),
        'oidc-provider': pooled(
          peer,
          deviceRedemption(peer, approvers(peer), peerClients.device),
          deviceCodeBody,
          { kind: 'token', clientId: peerClients.device.id, jwtAlg: 'ES256' },
        ),
      }),
    },
    {
      name: 'jwt-bearer',
      title: 'JWT bearer grant (RFC 7523)',
      does: 'POST /token, grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, client_secret_basic, with a new ES256 assertion of a trusted issuer in every request (its jti is used up: ours stores it); JWT ES256 access token. oidc-provider has no JWT bearer grant: its peer is the nearest work it does, client_credentials with private_key_jwt (a new ES256 client assertion in every request, its jti remembered in memory); the ceiling does the grant itself (jose jwtVerify, the jti in a Map, SignJWT)',
      targets: async () => ({
        ours: jwtBearer(ours, oursClients.jwtBearer),
        'oidc-provider': withAssertions(
          peer,
          {},
          { iss: peerClients.pkjwt.id, sub: peerClients.pkjwt.id, aud: peer.issuer },
          `${form({ grant_type: 'client_credentials', scope: 'api', client_id: peerClients.pkjwt.id, client_assertion_type: CLIENT_ASSERTION_TYPE })}&client_assertion=`,
          { kind: 'token', clientId: peerClients.pkjwt.id, jwtAlg: 'ES256' },
        ),
        ceiling: jwtBearer(ceiling, ceilingClients.cc),
      }),
    },
    {
      name: 'token-exchange',
      title: 'token exchange (RFC 8693), impersonation',
      does: 'POST /token, grant_type=urn:ietf:params:oauth:grant-type:token-exchange, client_secret_basic, subject_token an ES256 JWT access token the server issued by client_credentials before the runs (the same one in every request); a new ES256 JWT for its subject. oidc-provider has no token exchange: the peer is the ceiling (jose jwtVerify of the subject token, SignJWT)',
      targets: async () => ({
        ours: await tokenExchange(ours, oursClients.exchange, oursClients.ccEs256),
        ceiling: await tokenExchange(ceiling, ceilingClients.exchange, ceilingClients.cc),
      }),
    },
    {
      name: 'userinfo',
      title: 'UserInfo, reference access token',
      does: "GET /userinfo (oidc-provider: /me) with Authorization: Bearer, an opaque access token with scope openid from a code redemption before the runs (the same one in every request; ours: its database row, then the user's; oidc-provider: its in-memory adapter)",
      targets: async () => ({
        ours: await userinfo(ours, oursAgent, oursClients.userinfo),
        'oidc-provider': await userinfo(peer, peerAgent, peerClients.userinfo),
      }),
    },
    {
      name: 'revoke',
      title: 'revocation, reference token (RFC 7009)',
      does: 'POST /revoke (oidc-provider: /token/revocation), client_secret_basic, token_type_hint=access_token, of a reference token issued by client_credentials before each run, one request per token (ours: the row looked up and deleted; oidc-provider: its in-memory adapter)',
      targets: async () => ({
        ours: revocation(ours, oursClients.ccRef, oursClients.rs),
        'oidc-provider': revocation(peer, peerClients.ccRef, peerClients.rs),
      }),
    },
    {
      name: 'mixed',
      title: 'client_credentials ES256 while the password grant runs (same instance)',
      does: 'the cc-es256 request, measured while 10 more connections send password grants (argon2id) to the same instance; the peer is the same request with nothing beside it',
      targets: async () => {
        const measured = ccTarget(ours, oursClients.ccEs256, { jwtAlg: 'ES256' });
        const passwords = target(
          ours,
          post(
            ours,
            '/token',
            basic(oursClients.password.id, oursClients.password.secret),
            passwordBody,
          ),
          { kind: 'token', clientId: oursClients.password.id, jwtAlg: 'ES256' },
          { connections: 10 },
        );
        return { ours: { ...measured, background: passwords }, alone: measured };
      },
    },
    {
      name: 'scale-reference',
      title: `client_credentials, reference token, ${settings.scaleRows.toLocaleString('en-US')} stored grants`,
      does: 'cc-reference on a second instance whose database holds BENCH_SCALE_ROWS stored refresh tokens, reference tokens and consents; the peer is the first instance (an almost empty database)',
      targets: async () => {
        const { server, clients } = await scaledInstance();
        return {
          ours: ccTarget(server, clients.ccRef, {}),
          empty: ccTarget(ours, oursClients.ccRef, {}),
        };
      },
    },
    {
      name: 'scale-introspect',
      title: `introspection, reference token, ${settings.scaleRows.toLocaleString('en-US')} stored grants`,
      does: 'introspect-reference on the instance with BENCH_SCALE_ROWS stored grants; the peer is the first instance',
      targets: async () => {
        const { server, clients } = await scaledInstance();
        return {
          ours: await introspection(server, clients.rs, clients.ccRef, {}),
          empty: await introspection(ours, oursClients.rs, oursClients.ccRef, {}),
        };
      },
    },
    {
      name: 'sweep',
      optIn: true,
      title: `sustained reference-token issue for ${settings.sweepSeconds} s, 60 s tokens`,
      does: 'cc-reference for a client whose tokens live 60 s, for BENCH_SWEEP_SECONDS, counting its stored rows every 5 s: the sweeper must keep the table at what 60 s of tokens (plus two sweep intervals) hold',
      custom: async () => {
        const client = await ours.adminPost('/admin/clients', {
          client_id: `bench-sweep-${randomBytes(3).toString('hex')}`,
          grant_types: ['client_credentials'],
          scope: 'api',
          access_token_format: 'reference',
          access_token_ttl: 60,
        });
        const tgt = ccTarget(ours, { id: client.client_id, secret: client.client_secret }, {});
        const samples = [];
        const started = Date.now();
        const sampler = setInterval(() => {
          countGrants(ours.databaseUrl, client.client_id).then(
            (rows) => samples.push({ second: Math.round((Date.now() - started) / 1000), rows }),
            () => {},
          );
        }, 5_000);
        try {
          const result = await measure(work, tgt, settings.sweepSeconds, undefined);
          return { result, samples, ttlSeconds: 60, sweepIntervalSeconds: 10 };
        } finally {
          clearInterval(sampler);
        }
      },
    },
  ];
}

// ---------------------------------------------------------------- clients

async function registerClients(ours) {
  const user = { username: `bench-${randomBytes(4).toString('hex')}`, password: random() };
  await ours.adminPost('/admin/users', { username: user.username, password: user.password });
  const suffix = randomBytes(3).toString('hex');
  const register = async (name, metadata) => {
    const created = await ours.adminPost('/admin/clients', {
      client_id: `bench-${name}-${suffix}`,
      scope: 'api',
      ...metadata,
    });
    return { id: created.client_id, secret: created.client_secret };
  };
  const cc = { grant_types: ['client_credentials'] };
  // Assertions for the JWT bearer grant (ours, the ceiling) and private_key_jwt (the peer).
  const assertion = { ...assertionKey(), issuer: 'https://assertions.bench.test' };
  await ours.adminPost('/admin/trusted-issuers', {
    issuer: assertion.issuer,
    jwks: { keys: [assertion.publicJwk] },
    allowed_scopes: ['api'],
  });
  const interactive = { redirect_uris: [REDIRECT_URI], require_consent: false };
  const oursClients = {
    ccEs256: await register('cc-es256', { ...cc, access_token_signed_response_alg: 'ES256' }),
    ccRs256: await register('cc-rs256', { ...cc, access_token_signed_response_alg: 'RS256' }),
    ccRef: await register('cc-ref', { ...cc, access_token_format: 'reference' }),
    rs: await register('rs', cc),
    password: await register('password', { grant_types: ['password'] }),
    rt: await register('rt', {
      ...interactive,
      grant_types: ['authorization_code', 'refresh_token'],
    }),
    code: await register('code', {
      ...interactive,
      grant_types: ['authorization_code'],
      scope: 'openid api',
      id_token_signed_response_alg: 'ES256',
    }),
    userinfo: await register('userinfo', {
      ...interactive,
      grant_types: ['authorization_code'],
      scope: 'openid',
      access_token_format: 'reference',
      id_token_signed_response_alg: 'ES256',
    }),
    jwtBearer: await register('jwt-bearer', {
      grant_types: [JWT_BEARER],
      access_token_signed_response_alg: 'ES256',
    }),
    device: await register('device', {
      grant_types: [DEVICE_CODE],
      access_token_signed_response_alg: 'ES256',
    }),
    exchange: await register('exchange', {
      grant_types: [TOKEN_EXCHANGE],
      access_token_signed_response_alg: 'ES256',
      token_exchange: {
        allowed_subject_token_types: [ACCESS_TOKEN_TYPE],
        allowed_audiences: [],
        allow_impersonation: true,
        allow_delegation: false,
      },
    }),
  };
  const peerClient = (id, grantTypes, format, alg, scope = 'api') => ({
    client_id: id,
    client_secret: random(),
    grant_types: grantTypes,
    scope,
    format,
    alg,
    ...(grantTypes.includes('authorization_code') ? { redirect_uris: [REDIRECT_URI] } : {}),
  });
  const peerConfig = [
    peerClient('cc-es256', ['client_credentials'], 'jwt', 'ES256'),
    peerClient('cc-rs256', ['client_credentials'], 'jwt', 'RS256'),
    peerClient('cc-ref', ['client_credentials'], 'opaque'),
    peerClient('rs', ['client_credentials'], 'opaque'),
    peerClient('rt', ['authorization_code', 'refresh_token'], 'jwt', 'ES256'),
    peerClient('code', ['authorization_code'], 'jwt', 'ES256', 'openid api'),
    peerClient('device', [DEVICE_CODE], 'jwt', 'ES256'),
    // No resource indicator: a token for the peer's own userinfo endpoint (opaque).
    {
      ...peerClient('userinfo', ['authorization_code'], 'opaque', undefined, 'openid'),
      userinfo: true,
    },
    {
      ...peerClient('pkjwt', ['client_credentials'], 'jwt', 'ES256'),
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [assertion.publicJwk] },
    },
  ];
  const byId = (id) => {
    const client = peerConfig.find((entry) => entry.client_id === id);
    return { id: client.client_id, secret: client.client_secret };
  };
  const peerClients = {
    ccEs256: byId('cc-es256'),
    ccRs256: byId('cc-rs256'),
    ccRef: byId('cc-ref'),
    rs: byId('rs'),
    rt: byId('rt'),
    code: byId('code'),
    device: byId('device'),
    userinfo: byId('userinfo'),
    pkjwt: byId('pkjwt'),
  };
  const ceilingConfig = [
    { client_id: 'cc', client_secret: random(), scope: 'api' },
    { client_id: 'rs', client_secret: random(), scope: 'api' },
    { client_id: 'exchange', client_secret: random(), scope: 'api' },
  ];
  const ceilingClients = Object.fromEntries(
    ceilingConfig.map((client) => [
      client.client_id,
      { id: client.client_id, secret: client.client_secret },
    ]),
  );
  return {
    user,
    assertion,
    oursClients,
    peerConfig,
    peerClients,
    ceilingConfig,
    ceilingClients,
  };
}

// ---------------------------------------------------------------- runs

const MAX_POOL = 40_000;
const MINT_SECONDS = 35;

async function specFor(work, tgt, seconds, estimate) {
  const spec = {
    url: tgt.server.url,
    ...tgt.request,
    connections: tgt.connections ?? settings.connections,
    duration: seconds,
    check: tgt.check,
  };
  if (tgt.pool) {
    const c = settings.connections;
    const wanted = estimate === undefined ? c * 20 : Math.round((estimate * seconds) / c) * c;
    const started = Date.now();
    const { headers, bodies } = await tgt.pool(Math.min(MAX_POOL, Math.max(c * 4, wanted)));
    // Codes live 60 s: minting stops after MINT_SECONDS, and the pool is cut to a multiple of the connections.
    bodies.length = Math.floor(bodies.length / c) * c;
    if (bodies.length === 0) throw new Error('no codes could be minted in time');
    Object.assign(spec, { headers, bodies });
    console.log(
      `  ${tgt.server.label.padEnd(16)} minted ${bodies.length} single-use codes or tokens in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  if (tgt.rotate) {
    const { headers, ...rotate } = await tgt.rotate(settings.connections);
    Object.assign(spec, { headers, rotate });
  }
  if (tgt.assertions) spec.assertions = tgt.assertions;
  const file = path.join(work, `spec-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

async function probeRequest(tgt) {
  if (tgt.pool) {
    const { headers, bodies } = await tgt.pool(1);
    return { ...tgt.request, headers, body: bodies[0] };
  }
  if (tgt.rotate) {
    const { headers, seeds, prefix } = await tgt.rotate(1);
    return { ...tgt.request, headers, body: `${prefix}${encodeURIComponent(seeds[0])}` };
  }
  if (tgt.assertions) return { ...tgt.request, body: assertionBodies(tgt.assertions)() };
  return tgt.request;
}

async function measure(work, tgt, seconds, estimate) {
  if (tgt.primitive) {
    return runJson(path.join(here, 'primitives.mjs'), [tgt.primitive, String(seconds)]);
  }
  const specFile = await specFor(work, tgt, seconds, estimate);
  // A load beside the measured one, on the same server, for as long (the mixed scenario).
  const backgroundFile =
    tgt.background === undefined
      ? undefined
      : await specFor(work, tgt.background, seconds + 1, undefined);
  const background =
    backgroundFile === undefined
      ? undefined
      : runJson(path.join(here, 'load.mjs'), [backgroundFile]);
  let rss = rssMiB(tgt.server.pid) ?? 0;
  const sampler = setInterval(() => {
    rss = Math.max(rss, rssMiB(tgt.server.pid) ?? 0);
  }, 250);
  const cpuBefore = cpuMicros(tgt.server.pid);
  try {
    const result = await runJson(path.join(here, 'load.mjs'), [specFile]);
    const beside = await background;
    const cpuAfter = cpuMicros(tgt.server.pid);
    // The server's CPU time (every thread) per answered request: unlike req/s, hardly moved
    // by what else the machine runs. Beside a background load it counts that load's work too.
    const cpuPerRequest =
      cpuBefore === undefined || cpuAfter === undefined || result.total === 0 || beside
        ? undefined
        : (cpuAfter - cpuBefore) / result.total;
    return {
      ...result,
      ...(beside === undefined ? {} : { background: beside }),
      rssMaxMiB: Math.round(Math.max(rss, rssMiB(tgt.server.pid) ?? 0)),
      ...(cpuPerRequest === undefined ? {} : { cpuMicrosPerRequest: cpuPerRequest }),
    };
  } finally {
    clearInterval(sampler);
    rmSync(specFile, { force: true });
    if (backgroundFile !== undefined) rmSync(backgroundFile, { force: true });
  }
}

function brief(result) {
  const errors = result.non2xx + result.connectionErrors + result.timeouts + result.invalid;
  const rate = Math.round(result.requestsPerSecond).toLocaleString('en-US').padStart(7);
  const latency =
    result.latency.p50 === undefined
      ? ''
      : `  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms`;
  const failures = errors ? `  ERRORS ${errors} ${result.invalidSamples.join(' | ')}` : '';
  return `${rate} req/s${latency}${failures}`;
}

async function runScenario(work, scenario) {
  console.log(`\n${scenario.title}`);
  if (scenario.custom !== undefined) {
    const { result, ...details } = await scenario.custom();
    console.log(`  ours             ${brief(result)}`);
    console.log(
      `  stored rows every 5 s: ${details.samples.map((sample) => sample.rows).join(' ')}`,
    );
    return {
      name: scenario.name,
      title: scenario.title,
      does: scenario.does,
      details,
      targets: { ours: { warmup: undefined, runs: [result], problem: undefined } },
    };
  }
  let targets;
  try {
    targets = await scenario.targets();
  } catch (error) {
    console.log(`  could not set the scenario up: ${error.message}`);
    const failed = { warmup: undefined, runs: [], problem: error.message };
    return {
      name: scenario.name,
      title: scenario.title,
      does: scenario.does,
      targets: { ours: failed },
    };
  }
  const labels = Object.keys(targets);
  const outcome = Object.fromEntries(
    labels.map((label) => [label, { warmup: undefined, runs: [], problem: undefined }]),
  );
  const fail = (label, error) => {
    outcome[label].problem ??= error instanceof Error ? error.message : String(error);
    console.log(`  ${label.padEnd(16)} WRONG ANSWER: ${outcome[label].problem}`);
  };
  for (const label of labels) {
    try {
      const tgt = targets[label];
      if (tgt.primitive) continue;
      const problem = await probe(tgt.server, await probeRequest(tgt), tgt.check);
      if (problem !== undefined) fail(label, problem);
    } catch (error) {
      fail(label, error);
    }
  }
  const valid = () => labels.filter((label) => outcome[label].problem === undefined);
  const estimate = {};
  for (const label of valid()) {
    if (targets[label].primitive) continue;
    try {
      const result = await measure(work, targets[label], settings.warmup, undefined);
      outcome[label].warmup = result;
      estimate[label] = result.requestsPerSecond;
      console.log(`  ${label.padEnd(16)} warm-up ${brief(result)}`);
    } catch (error) {
      fail(label, error);
    }
  }
  for (let run = 0; run < settings.runs; run++) {
    // Alternating, and in turned order every other run (AB BA AB …), so drift favours no one.
    const order = run % 2 === 0 ? valid() : valid().reverse();
    for (const label of order) {
      try {
        const result = await measure(work, targets[label], settings.duration, estimate[label]);
        estimate[label] = result.requestsPerSecond;
        outcome[label].runs.push(result);
        console.log(`  ${label.padEnd(16)} run ${run + 1}  ${brief(result)}`);
      } catch (error) {
        fail(label, error);
      }
    }
  }
  return { name: scenario.name, title: scenario.title, does: scenario.does, targets: outcome };
}

// ---------------------------------------------------------------- main

async function main() {
  const startedAt = new Date();
  const loadBefore = loadAverage();
  if (process.env.BENCH_SKIP_BUILD !== '1') ensureBuilt(root);
  const work = mkdtempSync(path.join(os.tmpdir(), 'identity-bench-'));
  let exitCode = 0;
  try {
    const ours = await startOurs(work, { databaseUrl: mainDatabaseUrl(work) });
    const secrets = await registerClients(ours);
    const [peer, ceiling] = await Promise.all([
      startPeer(work, secrets.peerConfig),
      startCeiling(work, secrets.ceilingConfig, [secrets.user], secrets.assertion),
    ]);
    console.log(
      `servers: ours ${ours.url} (${settings.database}), oidc-provider ${peer.url}, ceiling ${ceiling.url}; ` +
        `${settings.connections} connections, ${settings.runs} × ${settings.duration} s after ${settings.warmup} s warm-up; load average ${loadBefore.join(' ')}`,
    );
    const all = await buildScenarios(ours, peer, ceiling, secrets, work);
    const unknown = (settings.scenarios ?? []).filter(
      (name) => !all.some((scenario) => scenario.name === name),
    );
    if (unknown.length > 0) {
      throw new Error(
        `BENCH_SCENARIOS: no scenario ${unknown.join(', ')} (there are ${all.map((scenario) => scenario.name).join(', ')})`,
      );
    }
    const scenarios = all.filter((scenario) =>
      settings.scenarios === undefined
        ? !scenario.optIn
        : settings.scenarios.includes(scenario.name),
    );
    const results = [];
    for (const scenario of scenarios) results.push(await runScenario(work, scenario));
    const loadAfter = loadAverage();
    const summary = summarize(results);
    const report = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      elapsedSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      settings,
      machine: machine(),
      loadAverage: { before: loadBefore, after: loadAfter },
      versions: {
        'oidc-provider': versionOf('oidc-provider'),
        autocannon: versionOf('autocannon'),
        fastify: versionOf('fastify'),
        jose: versionOf('jose'),
      },
      rows: summary.rows,
      targets: summary.targets,
      scenarios: results,
    };
    report.table = markdownTable(report);
    const resultsDir = path.join(here, 'results');
    mkdirSync(resultsDir, { recursive: true });
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const json = `${JSON.stringify(report, null, 2)}\n`;
    writeFileSync(path.join(resultsDir, `${stamp}.json`), json);
    writeFileSync(path.join(resultsDir, 'latest.json'), json);
    writeFileSync(path.join(resultsDir, 'latest.md'), `${report.table}\n`);
    console.log(`\n${report.table}\n`);
    console.log(`written: bench/results/${stamp}.json (and latest.json, latest.md)`);
    if (summary.errors > 0) {
      console.error(`\n${summary.errors} errors or wrong answers: this run is not valid.`);
      exitCode = 1;
    }
  } catch (error) {
    exitCode = 1;
    console.error(error);
  } finally {
    await stopAll();
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    if (exitCode === 0) rmSync(work, { recursive: true, force: true });
    else console.error(`the servers' logs are kept in ${work}`);
  }
  return exitCode;
}

const stop = () => {
  stopAll().finally(() => process.exit(130));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

process.exitCode = await main();
