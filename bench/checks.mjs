// The full check of one response per scenario and server, made before the
// timed runs: signatures verified against the server's own JWKS, claims and
// client ids compared. (bench/load.mjs checks a sample of every run more
// cheaply.)
import { createLocalJWKSet, jwtVerify } from 'jose';

const jwksCache = new Map();

async function jwksOf(server) {
  if (!jwksCache.has(server.url)) {
    const response = await fetch(new URL(server.jwksPath, server.url));
    jwksCache.set(server.url, createLocalJWKSet(await response.json()));
  }
  return jwksCache.get(server.url);
}

function scopeHas(scope, wanted) {
  return typeof scope === 'string' && scope.split(' ').includes(wanted);
}

/** RFC 6749 §4.1.2: a redirect (the check's status) to the redirect URI with a code and the request's state, and no error. */
function redirected(response, check) {
  const location = response.headers.get('location') ?? '';
  if (response.status !== check.status) return `status ${response.status}, location ${location}`;
  if (!location.startsWith(`${check.redirectUri}?`)) return `redirected to ${location}`;
  const query = new URL(location).searchParams;
  if (query.has('error')) return `error ${query.get('error')}: ${query.get('error_description')}`;
  if (!query.get('code')) return 'no code';
  return query.get('state') === check.state ? undefined : `state ${query.get('state')}`;
}

/** Whether the introspecting client of `check` sees the token of a revocation request as active. */
async function introspectedActive(server, request, check) {
  const token = new URLSearchParams(request.body).get('token');
  const response = await fetch(new URL(check.introspection.path, server.url), {
    method: 'POST',
    headers: check.introspection.headers,
    body: new URLSearchParams({ token }).toString(),
  });
  const json = await response.json();
  if (response.status !== 200 || typeof json.active !== 'boolean')
    throw new Error(`introspection: ${response.status} ${JSON.stringify(json).slice(0, 200)}`);
  return json.active;
}

/** Sends the request once and checks the answer; returns a problem or undefined. */
export async function probe(server, request, check) {
  // RFC 7009 §2.2: a revocation's body says nothing, and it answers 200 for
  // an unknown token too: the token must be active before and inactive after.
  if (check.kind === 'revocation' && !(await introspectedActive(server, request, check)))
    return 'the token to revoke is not active before its revocation';
  const response = await fetch(new URL(request.path, server.url), {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
  });
  const text = await response.text();
  if (check.kind === 'authorization-redirect') return redirected(response, check);
  if (response.status !== 200) return `status ${response.status}: ${text.slice(0, 300)}`;
  if (check.kind === 'revocation')
    return (await introspectedActive(server, request, check))
      ? 'the token is still active after its revocation'
      : undefined;
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  try {
    switch (check.kind) {
      case 'token': {
        if (String(json.token_type).toLowerCase() !== 'bearer') return 'token_type is not Bearer';
        if (typeof json.access_token !== 'string') return 'no access_token';
        if (check.jwtAlg !== undefined) {
          const { payload, protectedHeader } = await jwtVerify(
            json.access_token,
            await jwksOf(server),
            { issuer: server.issuer, typ: 'at+jwt', algorithms: [check.jwtAlg] },
          );
          if (protectedHeader.alg !== check.jwtAlg) return `alg ${protectedHeader.alg}`;
          if (payload.client_id !== check.clientId) return `client_id ${payload.client_id}`;
          if (!scopeHas(payload.scope, 'api')) return `scope ${payload.scope}`;
          if (typeof payload.jti !== 'string') return 'no jti';
          if (check.subject !== undefined && payload.sub !== check.subject)
            return `sub ${payload.sub}, expected ${check.subject}`;
        } else if (json.access_token.split('.').length === 3 || json.access_token.length < 32) {
          return 'expected a reference (opaque) access token';
        }
        if (check.refresh && typeof json.refresh_token !== 'string') return 'no refresh_token';
        if (!check.refresh && json.refresh_token !== undefined) return 'unexpected refresh_token';
        if (check.issuedTokenType !== undefined && json.issued_token_type !== check.issuedTokenType)
          return `issued_token_type ${json.issued_token_type}`;
        if (check.idToken) {
          await jwtVerify(json.id_token, await jwksOf(server), {
            issuer: server.issuer,
            audience: check.clientId,
            algorithms: ['ES256'],
          });
        }
        return undefined;
      }
      case 'introspection':
        if (json.active !== true) return `inactive: ${text.slice(0, 200)}`;
        if (json.client_id !== check.clientId) return `client_id ${json.client_id}`;
        if (!scopeHas(json.scope, 'api')) return `scope ${json.scope}`;
        return undefined;
      case 'device-authorization':
        // RFC 8628 §3.2: the required members, the verification URI on this issuer.
        for (const member of ['device_code', 'user_code', 'verification_uri_complete'])
          if (typeof json[member] !== 'string' || json[member] === '') return `no ${member}`;
        if (!String(json.verification_uri).startsWith(server.issuer))
          return `verification_uri ${json.verification_uri}`;
        if (!Number.isInteger(json.expires_in) || json.expires_in <= 0)
          return `expires_in ${json.expires_in}`;
        return undefined;
      case 'userinfo':
        // OpenID Connect Core §5.3.2: sub must be the ID token's sub.
        return json.sub === check.subject
          ? undefined
          : `sub ${json.sub}, expected ${check.subject}`;
      case 'jwks':
        return Array.isArray(json.keys) && json.keys.some((key) => key.kty === 'EC')
          ? undefined
          : 'no EC key in the JWKS';
      case 'discovery':
        return json.issuer === server.issuer && typeof json.token_endpoint === 'string'
          ? undefined
          : 'not the discovery document of this issuer';
      default:
        return `unknown check ${check.kind}`;
    }
  } catch (error) {
    return `${error.code ?? error.name}: ${error.message}`;
  }
}
