// Single-use ES256 JWTs for the JWT bearer grant (RFC 7523) and for
// private_key_jwt client authentication: the servers remember each jti, so
// every request needs a new one. Made with node:crypto, in the process that
// sends them (bench/load.mjs), for every server alike.
import { createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';

const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A P-256 key pair: the private key as PEM (for the load generator), the public one as a JWK. */
export function assertionKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `bench-${randomBytes(4).toString('hex')}`;
  return {
    kid,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }),
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' },
  };
}

/**
 * A function that returns `prefix` followed by a fresh JWT of `claims` (with
 * its own jti, iat and a 5-minute exp), signed ES256 with the key.
 */
export function assertionBodies({ privateKeyPem, kid, claims, prefix }) {
  const key = createPrivateKey(privateKeyPem);
  const header = encode({ alg: 'ES256', kid, typ: 'JWT' });
  return () => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${header}.${encode({ ...claims, jti: randomUUID(), iat: now, exp: now + 300 })}`;
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${prefix}${input}.${signature.toString('base64url')}`;
  };
}
