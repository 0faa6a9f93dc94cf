import { constants, KeyObject, webcrypto } from 'node:crypto';
import {
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { jwsPool } from '../keys/jws-crypto.js';
import { decodeJoseObject, isCanonicalBase64url } from '../keys/jws-verifier.js';
import type { SigningMethod, SigningPool } from '../keys/signing-pool.js';

/** What each asymmetric JWS algorithm (RFC 7518 §3, RFC 8037, RFC 9864) needs of its key and of node:crypto. */
interface AlgorithmSpec {
  readonly method: SigningMethod;
  /** Whether a WebCrypto key of a JWKS import is this algorithm's (jose imports one per algorithm). */
  readonly fits: (algorithm: webcrypto.KeyAlgorithm) => boolean;
}

type RsaKeyAlgorithm = webcrypto.RsaHashedKeyAlgorithm & { hash: { name: string } };

const rsa = (name: string, bits: number, saltLength?: number): AlgorithmSpec => ({
  method: {
    digest: `sha${bits}`,
    options:
      saltLength === undefined ? {} : { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
  },
  // RFC 7518 §3.3 and §3.5: keys of 2048 bits or more.
  fits: (algorithm) =>
    algorithm.name === name &&
    (algorithm as RsaKeyAlgorithm).hash.name === `SHA-${bits}` &&
    (algorithm as RsaKeyAlgorithm).modulusLength >= 2048,
});

const ecdsa = (curve: string, bits: number): AlgorithmSpec => ({
  method: { digest: `sha${bits}`, options: { dsaEncoding: 'ieee-p1363' } },
  fits: (algorithm) =>
    algorithm.name === 'ECDSA' && (algorithm as webcrypto.EcKeyAlgorithm).namedCurve === curve,
});

const ed25519: AlgorithmSpec = {
  method: { digest: null, options: {} },
  fits: (algorithm) => algorithm.name === 'Ed25519',
};

const ALGORITHMS: Readonly<Record<string, AlgorithmSpec>> = Object.assign(Object.create(null), {
  RS256: rsa('RSASSA-PKCS1-v1_5', 256),
  RS384: rsa('RSASSA-PKCS1-v1_5', 384),
  RS512: rsa('RSASSA-PKCS1-v1_5', 512),
  PS256: rsa('RSA-PSS', 256, 32),
  PS384: rsa('RSA-PSS', 384, 48),
  PS512: rsa('RSA-PSS', 512, 64),
  ES256: ecdsa('P-256', 256),
  ES384: ecdsa('P-384', 384),
  ES512: ecdsa('P-521', 512),
  EdDSA: ed25519,
  Ed25519: ed25519,
});

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The node:crypto twin of each WebCrypto key, made once. */
const keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

export interface PooledJwtVerifyOptions {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly algorithms: readonly string[];
  /** Seconds of skew allowed on exp and nbf. */
  readonly clockTolerance: number;
}

/**
 * jose's jwtVerify of a compact JWT against a key set (createLocalJWKSet,
 * createRemoteJWKSet), with the signature checked on the signing pool's
 * threads by node:crypto instead of by WebCrypto on libuv's pool: in the
 * JWT bearer benchmark jose's verify was 30 % of the event loop's time.
 * jose still picks the key (kid, kty, crv, use, key_ops, alg) and fetches
 * remote sets; everything else is checked as jose checks it, in the same
 * order, and refused with jose's own error classes, so callers map
 * refusals as before. Stricter than jose in two ways: any `crit` header is
 * refused (RFC 7515 §4.1.11: this service understands no extension), and
 * so is a signature whose base64url is not canonical. A key that is not a
 * WebCrypto key of the expected kind is left to jose's jwtVerify whole.
 */
export async function verifyJwtOnPool(
  token: string,
  keys: JWTVerifyGetKey,
  options: PooledJwtVerifyOptions,
  pool: SigningPool = jwsPool,
): Promise<JWTPayload> {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw new joseErrors.JWSInvalid('Invalid Compact JWS');
  }
  const [encodedHeader, encodedPayload, signature] = parts as [string, string, string];
  const header = decodeJoseObject(encodedHeader);
  if (header === undefined) throw new joseErrors.JWSInvalid('JWS Protected Header is invalid');
  if ('crit' in header || 'b64' in header) {
    throw new joseErrors.JWSInvalid('no JWS extension (crit, b64) is understood');
  }
  const { alg } = header;
  if (typeof alg !== 'string' || alg === '') {
    throw new joseErrors.JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  }
  if (!options.algorithms.includes(alg)) {
    throw new joseErrors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  }
  const spec = ALGORITHMS[alg];
  if (spec === undefined) throw new joseErrors.JOSENotSupported(`alg ${alg} is not supported`);
  const key = await keys(
    { ...header, alg },
    {
      protected: encodedHeader,
      payload: encodedPayload,
      signature,
    },
  );
  if (!isCanonicalBase64url(signature)) {
    throw new joseErrors.JWSInvalid('the signature is not canonical base64url');
  }
  // Not a key of jose's sets (which give WebCrypto keys): jose checks it, the key found passed as is.
  if (!isCryptoKey(key)) return (await jwtVerify(token, key, joseOptions(options))).payload;
  if (key.type !== 'public' || !key.usages.includes('verify') || !spec.fits(key.algorithm)) {
    throw new TypeError(`the key found is not a public ${alg} verification key`);
  }
  const keyObject = keyObjects.get(key) ?? keyObjects.set(key, KeyObject.from(key)).get(key)!;
  const input = `${encodedHeader}.${encodedPayload}`;
  if (!(await pool.verify(input, signature, keyObject, spec.method))) {
    throw new joseErrors.JWSSignatureVerificationFailed();
  }
  const claims = decodeJoseObject(encodedPayload);
  if (claims === undefined) {
    throw new joseErrors.JWTInvalid('JWT Claims Set must be a top-level JSON object');
  }
  checkClaims(claims as JWTPayload, options);
  return claims as JWTPayload;
}

/** jose's validateClaimsSet for these options, in its order, with its errors. */
function checkClaims(claims: JWTPayload, options: PooledJwtVerifyOptions): void {
  const failed = (message: string, claim: string, reason: string) =>
    new joseErrors.JWTClaimValidationFailed(message, claims, claim, reason);
  for (const claim of ['iss', 'aud']) {
    if (!Object.hasOwn(claims, claim)) {
      throw failed(`missing required "${claim}" claim`, claim, 'missing');
    }
  }
  if (claims.iss !== options.issuer)
    throw failed('unexpected "iss" claim value', 'iss', 'check_failed');
  const { aud } = claims;
  const audienceMatches =
    typeof aud === 'string'
      ? options.audience.includes(aud)
      : Array.isArray(aud) && options.audience.some((audience) => aud.includes(audience));
  if (!audienceMatches) throw failed('unexpected "aud" claim value', 'aud', 'check_failed');
  const now = Math.floor(Date.now() / 1000);
  const numeric = (claim: 'iat' | 'nbf' | 'exp') => {
    const value = claims[claim];
    if (value !== undefined && typeof value !== 'number') {
      throw failed(`"${claim}" claim must be a number`, claim, 'invalid');
    }
    return value;
  };
  numeric('iat');
  const nbf = numeric('nbf');
  if (nbf !== undefined && nbf > now + options.clockTolerance) {
    throw failed('"nbf" claim timestamp check failed', 'nbf', 'check_failed');
  }
  const exp = numeric('exp');
  if (exp !== undefined && exp <= now - options.clockTolerance) {
    throw new joseErrors.JWTExpired(
      '"exp" claim timestamp check failed',
      claims,
      'exp',
      'check_failed',
    );
  }
}

function joseOptions(options: PooledJwtVerifyOptions): JWTVerifyOptions {
  return {
    issuer: options.issuer,
    audience: [...options.audience],
    algorithms: [...options.algorithms],
    clockTolerance: options.clockTolerance,
  };
}

function isCryptoKey(key: unknown): key is webcrypto.CryptoKey {
  // A global in Node 20 (node:crypto's webcrypto.CryptoKey is not).
  return key instanceof CryptoKey;
}
