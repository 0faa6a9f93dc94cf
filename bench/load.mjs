// One load run, in a process of its own so that the load generator never
// shares an event loop with the server it measures:
//
//   node bench/load.mjs SPEC.json   → one line of JSON on stdout
//
// The spec (written by bench/run.mjs):
//   { url, method, path, headers, body, connections, duration,
//     bodies?:  [form bodies]  each used once; the run makes exactly that many requests
//     rotate?:  { seeds, prefix, field }  each response's `field` becomes the next
//               request's body (prefix + value): refresh-token chains
//     assertions?: { privateKeyPem, kid, claims, prefix }  each request's body is
//               prefix + a fresh ES256 JWT of `claims` with its own jti, iat and exp
//               (signed here, in the load generator): JWT bearer and private_key_jwt
//     check:    { kind: 'token' | 'introspection' | 'device-authorization' | 'userinfo'
//               | 'revocation' | 'authorization-redirect' | 'jwks' | 'discovery',
//               status?: the expected status (default: any 2xx), ... } }
//
// Every response is counted by status; the first response and every
// SAMPLE_EVERY-th one after it is parsed and checked (in refresh chains every
// response is parsed, for its token), so a fast error path (or a 200 with the
// wrong body) cannot pass as throughput.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { assertionBodies } from './assertions.mjs';

const SAMPLE_EVERY = 20;

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function decodeJwtPart(jwt, index) {
  return JSON.parse(Buffer.from(jwt.split('.')[index], 'base64url').toString());
}

function isJwt(value) {
  return typeof value === 'string' && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value);
}

/** RFC 6749 §4.1.2: to the redirect URI, with a code and the request's state. */
function redirectProblem(check, headers) {
  const name = Object.keys(headers ?? {}).find((key) => key.toLowerCase() === 'location');
  const location = name === undefined ? undefined : String(headers[name]);
  if (location === undefined || !location.startsWith(`${check.redirectUri}?`))
    return `redirected to ${location}`;
  const query = new URL(location).searchParams;
  return query.get('code') && query.get('state') === check.state
    ? undefined
    : `redirect without a code or with another state: ${location.slice(0, 120)}`;
}

/** The reason the body is wrong for this scenario, or undefined when it is right. */
function problemWith(check, body, headers) {
  // RFC 7009 §2.2: a revocation's 200 is the answer; its body carries nothing.
  if (check.kind === 'revocation') return undefined;
  if (check.kind === 'authorization-redirect') return redirectProblem(check, headers);
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    return 'not JSON';
  }
  switch (check.kind) {
    case 'token': {
      if (typeof json.access_token !== 'string' || json.access_token.length < 20)
        return 'no access_token';
      if (String(json.token_type).toLowerCase() !== 'bearer') return 'token_type is not Bearer';
      if (typeof json.expires_in !== 'number') return 'no expires_in';
      if (check.jwtAlg !== undefined) {
        if (!isJwt(json.access_token)) return 'access_token is not a JWT';
        const header = decodeJwtPart(json.access_token, 0);
        if (header.alg !== check.jwtAlg || header.typ !== 'at+jwt')
          return `access_token header ${JSON.stringify(header)}`;
        const claims = decodeJwtPart(json.access_token, 1);
        if (typeof claims.exp !== 'number' || typeof claims.client_id !== 'string')
          return 'access_token claims';
      } else if (isJwt(json.access_token)) {
        return 'access_token is a JWT, expected a reference token';
      }
      if (check.refresh && typeof json.refresh_token !== 'string') return 'no refresh_token';
      if (check.idToken && !isJwt(json.id_token)) return 'no id_token';
      if (check.issuedTokenType !== undefined && json.issued_token_type !== check.issuedTokenType)
        return `issued_token_type ${json.issued_token_type}`;
      return undefined;
    }
    case 'introspection':
      return json.active === true && typeof json.client_id === 'string'
        ? undefined
        : `introspection ${body.slice(0, 120)}`;
    case 'device-authorization':
      return typeof json.device_code === 'string' &&
        typeof json.user_code === 'string' &&
        typeof json.verification_uri === 'string'
        ? undefined
        : `device authorization ${body.slice(0, 120)}`;
    case 'userinfo':
      return json.sub === check.subject ? undefined : `userinfo ${body.slice(0, 120)}`;
    case 'jwks':
      return Array.isArray(json.keys) && json.keys.length > 0 ? undefined : 'no keys';
    case 'discovery':
      return json.issuer === check.issuer && typeof json.token_endpoint === 'string'
        ? undefined
        : 'not the discovery document';
    default:
      return `unknown check ${check.kind}`;
  }
}

let invalid = 0;
let checked = 0;
const invalidSamples = [];
let responses = 0;

/** The answer a scenario expects: its check's status, or any 2xx. */
const expected = (status) =>
  spec.check.status === undefined ? status >= 200 && status <= 299 : status === spec.check.status;

function record(status, body, sample, headers) {
  if (!expected(status)) {
    if (invalidSamples.length < 3) invalidSamples.push(`${status} ${String(body).slice(0, 200)}`);
    return undefined;
  }
  if (!sample) return undefined;
  checked++;
  const problem = problemWith(spec.check, String(body), headers);
  if (problem !== undefined) {
    invalid++;
    if (invalidSamples.length < 3) invalidSamples.push(problem);
  }
  return problem;
}

const request = {
  method: spec.method,
  path: spec.path,
  headers: spec.headers ?? {},
  ...(spec.body !== undefined ? { body: spec.body } : {}),
};
const options = {
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  timeout: 10,
  requests: [request],
};

/** When the last response of a pool arrived (performance.now()). */
let lastResponseAt;

if (spec.bodies !== undefined) {
  // A pool of single-use bodies (authorization codes): exactly one request each.
  let next = 0;
  request.setupRequest = (req) => ({ ...req, body: spec.bodies[next++] });
  request.onResponse = (status, body) => {
    lastResponseAt = performance.now();
    record(status, body, responses++ % SAMPLE_EVERY === 0);
  };
  options.amount = spec.bodies.length;
} else if (spec.rotate !== undefined) {
  // Refresh-token chains: every response carries the next token to present.
  const { prefix, field } = spec.rotate;
  const queue = [...spec.rotate.seeds];
  request.setupRequest = (req) => ({
    ...req,
    body: `${prefix}${encodeURIComponent(queue.shift() ?? 'exhausted')}`,
  });
  request.onResponse = (status, body) => {
    responses++;
    if (status < 200 || status > 299) return record(status, body, true);
    let json;
    try {
      json = JSON.parse(String(body));
    } catch {
      json = {};
    }
    if (typeof json[field] === 'string') queue.push(json[field]);
    record(status, body, responses % SAMPLE_EVERY === 1);
  };
} else if (spec.assertions !== undefined) {
  // Single-use JWTs (their jti is remembered by the server): a new one for every request.
  const nextBody = assertionBodies(spec.assertions);
  request.setupRequest = (req) => ({ ...req, body: nextBody() });
  request.onResponse = (status, body) => record(status, body, responses++ % SAMPLE_EVERY === 0);
} else {
  request.onResponse = (status, body, _context, headers) =>
    record(status, body, responses++ % SAMPLE_EVERY === 0, headers);
}

const startedAt = performance.now();
const result = await autocannon(options);
// autocannon ends a run on its next one-second tick, so a pool used up in
// 2.1 s would count as 3 s: the pool's own time runs to its last response.
const duration =
  lastResponseAt === undefined ? result.duration : (lastResponseAt - startedAt) / 1000;
if (result.requests.total === 0) {
  invalid++;
  invalidSamples.push('no response completed within the run');
}
console.log(
  JSON.stringify({
    requestsPerSecond: result.requests.total / duration,
    autocannonAverage: result.requests.average,
    total: result.requests.total,
    duration,
    latency: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    // Answers other than the expected ones (a redirect scenario expects its 303).
    non2xx:
      spec.check.status === undefined
        ? result.non2xx
        : result.requests.total - (result.statusCodeStats[spec.check.status]?.count ?? 0),
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
    ),
    connectionErrors: result.errors,
    timeouts: result.timeouts,
    checked,
    invalid,
    invalidSamples,
  }),
);
