import { type JWK, type JWTPayload, SignJWT } from 'jose';
import { KeyObject, sign as cryptoSign } from 'node:crypto';
import type { PartyKey } from '../trust/assertions.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs header.payload with an ES256 key by hand, so no library refuses the header (e.g. unknown `crit`). */
function signEs256Raw(key: CryptoKey, header: Record<string, unknown>, claims: JWTPayload): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = cryptoSign('sha256', Buffer.from(input), {
    key: KeyObject.from(key),
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

function hs256(header: Record<string, unknown>, claims: JWTPayload, secret: Uint8Array) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', ...header })
    .sign(secret.length === 0 ? new Uint8Array(32) : secret);
}

/**
 * Every way this suite forges a JWT that should have come from `trusted`
 * (an ES256 key whose public part the service knows), built from `claims`
 * that the trusted key would sign. None of them may be accepted.
 */
export async function forgeries(options: {
  readonly claims: JWTPayload;
  readonly trusted: PartyKey;
  /** A key the service does not know, published at `attackerJwksUri`. */
  readonly attacker: PartyKey;
  readonly attackerJwksUri: string;
  /** A genuine JWT of the trusted key, to truncate and tamper with. */
  readonly genuine: string;
}): Promise<string[]> {
  const { claims, trusted, attacker, attackerJwksUri, genuine } = options;
  const [genuineHeader, genuinePayload, genuineSignature] = genuine.split('.') as [
    string,
    string,
    string,
  ];
  const attackerSigned = (header: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: attacker.alg, ...header })
      .sign(attacker.privateKey);
  const publicJwkText = new TextEncoder().encode(JSON.stringify(trusted.publicJwk));
  const tampered = { ...claims, sub: 'root', scope: 'admin', client_id: 'test-admin' };
  return [
    // RFC 7519 §6 unsecured JWTs, in every spelling.
    `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
    `${b64({ alg: 'None' })}.${b64(claims)}.`,
    `${b64({ alg: 'NONE', kid: trusted.kid })}.${b64(claims)}.${genuineSignature}`,
    `${b64({ typ: 'JWT' })}.${b64(claims)}.`,
    // Key confusion: HMAC keyed with the trusted public key (JWK text, and the PEM-less x coordinate).
    await hs256({ kid: trusted.kid }, claims, publicJwkText),
    await hs256(
      { kid: trusted.kid },
      claims,
      Buffer.from(String(trusted.publicJwk.x), 'base64url'),
    ),
    // kid path and injection tricks, HMAC with what such a lookup would find.
    await hs256({ kid: '../../../../../../dev/null' }, claims, new Uint8Array(0)),
    await hs256({ kid: '/etc/passwd' }, claims, new TextEncoder().encode('root:x:0:0')),
    await hs256({ kid: "x' UNION SELECT 'secret' --" }, claims, new TextEncoder().encode('secret')),
    await attackerSigned({ kid: `${trusted.kid}/../${attacker.kid}` }),
    // The attacker's key under the trusted kid, or named by a URL the attacker controls, or embedded.
    await attackerSigned({ kid: trusted.kid }),
    await attackerSigned({ kid: attacker.kid, jku: attackerJwksUri }),
    await attackerSigned({ kid: attacker.kid, x5u: attackerJwksUri }),
    await attackerSigned({ kid: trusted.kid, jku: attackerJwksUri }),
    await attackerSigned({ jwk: attacker.publicJwk as JWK }),
    // A correctly signed token with a critical extension the service cannot understand.
    signEs256Raw(
      trusted.privateKey,
      {
        alg: 'ES256',
        kid: trusted.kid,
        crit: ['https://evil.example/ext'],
        'https://evil.example/ext': 1,
      },
      claims,
    ),
    signEs256Raw(trusted.privateKey, { alg: 'ES256', kid: trusted.kid, crit: ['exp'] }, claims),
    signEs256Raw(
      trusted.privateKey,
      { alg: 'ES256', kid: trusted.kid, b64: false, crit: ['b64'] },
      claims,
    ),
    // Algorithm swapped in the header of a genuine signature.
    `${b64({ alg: 'RS256', kid: trusted.kid })}.${genuinePayload}.${genuineSignature}`,
    `${b64({ alg: 'HS256', kid: trusted.kid })}.${genuinePayload}.${genuineSignature}`,
    // Truncated and re-assembled genuine tokens.
    genuine.slice(0, -1),
    genuine.slice(0, -20),
    `${genuineHeader}.${genuinePayload}`,
    `${genuineHeader}.${genuinePayload}.`,
    `${genuineHeader}..${genuineSignature}`,
    `${genuineHeader}.${genuinePayload}.${genuineSignature}.${genuineSignature}`,
    // Claims changed under the genuine signature.
    `${genuineHeader}.${b64(tampered)}.${genuineSignature}`,
    `${genuineHeader}.${b64({ ...claims, exp: 4_102_444_800 })}.${genuineSignature}`,
    // Not JSON, not base64url.
    `${b64('x')}.${b64(claims)}.${genuineSignature}`,
    `e30.e30.`,
    `%%%.%%%.%%%`,
    `${genuineHeader}.${Buffer.from('{"sub":').toString('base64url')}.${genuineSignature}`,
  ];
}
