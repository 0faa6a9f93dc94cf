import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** A signing key of a party (trusted issuer or client): the private key and its public JWK. */
export interface PartyKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function partyKey(kid: string, alg = 'ES256'): Promise<PartyKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export const epoch = () => Math.floor(Date.now() / 1000);

/** Claims of a fresh assertion: five minutes to live, a new jti; `overrides` win. */
export function assertionClaims(
  iss: string,
  sub: string,
  aud: string | string[],
  overrides: JWTPayload = {},
): JWTPayload {
  const now = epoch();
  return { iss, sub, aud, iat: now, exp: now + 300, jti: randomUUID(), ...overrides };
}

/** A JWT signed with `key` (its kid in the header unless `kid` says otherwise). */
export function signAssertion(
  key: PartyKey,
  claims: JWTPayload,
  header: { kid?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: header.kid ?? key.kid })
    .sign(key.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured JWT (RFC 7519 §6): alg none, empty signature. */
export function unsecuredJwt(claims: JWTPayload): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** The key-confusion attack: HS256 keyed with the issuer's public key (its JWK as text). */
export function hmacWithPublicKey(key: PartyKey, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: key.kid })
    .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
}

/** A JWKS served over loopback HTTP (127.0.0.1 only), as a trusted issuer or client publishes it. */
export interface JwksServer {
  readonly uri: string;
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  publish(keys: JWK[]): void;
  close(): Promise<void>;
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  let published = keys;
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return {
    uri: `http://127.0.0.1:${address.port}/jwks.json`,
    get fetches() {
      return fetches;
    },
    publish(next) {
      published = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
