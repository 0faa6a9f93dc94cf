// The benchmark's ceiling: the leanest token endpoint that still does the
// same work per request as this service's hot paths, on the same Fastify the
// service runs on and with jose. Clients and users live in in-memory maps;
// nothing is persisted.
//
//   POST /token       client_secret_basic (SHA-256 of the secret, constant-time
//                     compare), grant_type client_credentials or password
//                     (argon2id verify with @node-rs/argon2's defaults, as the
//                     service hashes) or urn:ietf:params:oauth:grant-type:jwt-bearer
//                     (jose jwtVerify of an ES256 assertion of a trusted issuer, its
//                     jti remembered in a Map until it expires) or
//                     urn:ietf:params:oauth:grant-type:token-exchange (jose jwtVerify
//                     of an access token of this server as the subject_token, its
//                     audience and scope checked; impersonation), answered with an
//                     ES256 RFC 9068 JWT
//   POST /introspect  client_secret_basic, then jose jwtVerify of an ES256 JWT
//   GET  /jwks        the public key
//
// Configuration comes from BENCH_CEILING_CONFIG (JSON): { port, issuer,
// clients: [{ client_id, client_secret, scope }], users: [{ username, password }],
// assertionIssuers: [{ issuer, jwk }] }.
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { parse as parseQuery } from 'node:querystring';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';

// The Fastify that @nestjs/platform-fastify uses, so that both run the same HTTP layer.
const require = createRequire(import.meta.url);
const fastifyPath = createRequire(require.resolve('@nestjs/platform-fastify')).resolve('fastify');
const { default: Fastify } = await import(fastifyPath);

const config = JSON.parse(process.env.BENCH_CEILING_CONFIG ?? '{}');
const sha256 = (value) => createHash('sha256').update(value).digest();

const clients = new Map(
  config.clients.map((client) => [
    client.client_id,
    { secretHash: sha256(client.client_secret), scope: client.scope },
  ]),
);
const users = new Map();
for (const user of config.users ?? []) {
  users.set(user.username, { subject: randomUUID(), hash: await argon2Hash(user.password) });
}

const assertionKeys = new Map();
for (const { issuer, jwk } of config.assertionIssuers ?? []) {
  assertionKeys.set(issuer, await importJWK(jwk, 'ES256'));
}
/** Used assertion ids (issuer + jti) and when they expire. */
const usedJtis = new Map();
setInterval(() => {
  const now = Date.now() / 1000;
  for (const [jti, expires] of usedJtis) if (expires < now) usedJtis.delete(jti);
}, 10_000).unref();

const { privateKey, publicKey } = await generateKeyPair('ES256');
const kid = randomBytes(8).toString('hex');
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };

const app = Fastify({ bodyLimit: 64 * 1024 });
app.addContentTypeParser(
  'application/x-www-form-urlencoded',
  { parseAs: 'string' },
  (_request, body, done) => done(null, parseQuery(body)),
);

class OAuthFailure extends Error {
  constructor(status, error) {
    super(error);
    this.status = status;
  }
}

function authenticate(request) {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) throw new OAuthFailure(401, 'invalid_client');
  const decoded = Buffer.from(header.slice(6), 'base64').toString();
  const colon = decoded.indexOf(':');
  const id = decodeURIComponent(decoded.slice(0, colon));
  const client = clients.get(id);
  if (
    colon <= 0 ||
    client === undefined ||
    !timingSafeEqual(sha256(decodeURIComponent(decoded.slice(colon + 1))), client.secretHash)
  ) {
    throw new OAuthFailure(401, 'invalid_client');
  }
  return { id, ...client };
}

async function accessToken(client, subject) {
  const token = await new SignJWT({ client_id: client.id, scope: client.scope })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .setIssuer(config.issuer)
    .setSubject(subject)
    .setAudience(config.issuer)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  return { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: client.scope };
}

async function assertedSubject(assertion) {
  let payload;
  try {
    const [, body] = assertion.split('.');
    const issuer = JSON.parse(Buffer.from(body ?? '', 'base64url').toString()).iss;
    const key = assertionKeys.get(issuer);
    if (key === undefined) throw new Error('untrusted issuer');
    ({ payload } = await jwtVerify(assertion, key, {
      issuer,
      audience: config.issuer,
      algorithms: ['ES256'],
      requiredClaims: ['exp', 'jti', 'sub'],
    }));
  } catch {
    throw new OAuthFailure(400, 'invalid_grant');
  }
  if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') {
    throw new OAuthFailure(400, 'invalid_grant');
  }
  const used = `${payload.iss} ${payload.jti}`;
  if (usedJtis.has(used)) throw new OAuthFailure(400, 'invalid_grant');
  usedJtis.set(used, payload.exp);
  return payload.sub;
}

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** RFC 8693 impersonation: the subject of one of this server's access tokens, for this client. */
async function exchangedSubject(client, params) {
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE)
    throw new OAuthFailure(400, 'invalid_request');
  let payload;
  try {
    ({ payload } = await jwtVerify(String(params.subject_token), publicKey, {
      issuer: config.issuer,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    }));
  } catch {
    throw new OAuthFailure(400, 'invalid_grant');
  }
  const audience = [payload.aud].flat();
  if (!audience.includes(config.issuer) && !audience.includes(client.id)) {
    throw new OAuthFailure(400, 'invalid_grant');
  }
  const held = String(payload.scope ?? '').split(' ');
  const asked = String(params.scope ?? client.scope).split(' ');
  if (!asked.every((scope) => held.includes(scope) && client.scope.split(' ').includes(scope))) {
    throw new OAuthFailure(400, 'invalid_scope');
  }
  return payload.sub;
}

app.post('/token', async (request, reply) => {
  try {
    const client = authenticate(request);
    const params = request.body ?? {};
    reply.header('cache-control', 'no-store');
    if (params.grant_type === 'client_credentials') return await accessToken(client, client.id);
    if (params.grant_type === 'password') {
      const user = users.get(params.username);
      if (user === undefined || !(await argon2Verify(user.hash, String(params.password)))) {
        throw new OAuthFailure(400, 'invalid_grant');
      }
      return await accessToken(client, user.subject);
    }
    if (params.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return await accessToken(client, await assertedSubject(String(params.assertion)));
    }
    if (params.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange') {
      const token = await accessToken(client, await exchangedSubject(client, params));
      return { ...token, issued_token_type: ACCESS_TOKEN_TYPE };
    }
    throw new OAuthFailure(400, 'unsupported_grant_type');
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    return reply.code(error.status).send({ error: error.message });
  }
});

app.post('/introspect', async (request, reply) => {
  try {
    authenticate(request);
    reply.header('cache-control', 'no-store');
    const { payload } = await jwtVerify(String(request.body?.token), publicKey, {
      issuer: config.issuer,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    return { active: true, ...payload, token_type: 'Bearer' };
  } catch (error) {
    if (error instanceof OAuthFailure)
      return reply.code(error.status).send({ error: error.message });
    return { active: false };
  }
});

app.get('/jwks', async () => jwks);

await app.listen({ port: config.port, host: '127.0.0.1' });
console.log(`ceiling listening on ${config.issuer}`);
