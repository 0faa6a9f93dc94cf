import type { KeyObject } from 'node:crypto';
import { JWS_METHODS, jwsPool } from './jws-crypto.js';
import { isSigningAlgorithm, type SigningAlgorithm } from './signing-algorithm.js';

/** A decoded JOSE header or JWT payload: always a JSON object. */
export type JoseObject = Readonly<Record<string, unknown>>;

export interface VerifiedJws {
  readonly header: JoseObject;
  readonly payload: JoseObject;
}

/** The key that may have signed a token with this header, and its algorithm; undefined when none. */
export type VerificationKeyLookup = (
  header: JoseObject,
) => { readonly alg: SigningAlgorithm; readonly key: KeyObject } | undefined;

const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/**
 * Verifies a compact JWS that this service signed (RFC 7515 §5.2), the
 * signature on the signing pool's threads rather than through jose, whose
 * WebCrypto verify took a third of the event loop's time in JWT
 * introspection. Accepted only when: the header is a JSON object; its `alg`
 * is one this service signs with and the very algorithm of the key
 * `keyFor` finds for the header; there is no `crit` (RFC 7515 §4.1.11: this
 * service understands no extension, so must refuse any) and no `b64`
 * (RFC 7797); the signature is canonical base64url and verifies; header
 * and payload are UTF-8 JSON objects.
 * Anything else is undefined. The claims are the caller's to check.
 */
export async function verifyCompactJws(
  token: string,
  keyFor: VerificationKeyLookup,
): Promise<VerifiedJws | undefined> {
  const parts = COMPACT_JWS.exec(token);
  if (parts === null) return undefined;
  const [, encodedHeader, encodedPayload, signature] = parts as unknown as [
    string,
    string,
    string,
    string,
  ];
  const header = decodeJoseObject(encodedHeader);
  if (header === undefined || 'crit' in header || 'b64' in header) return undefined;
  const { alg } = header;
  if (!isSigningAlgorithm(alg)) return undefined;
  const found = keyFor(header);
  if (found === undefined || found.alg !== alg) return undefined;
  if (!isCanonicalBase64url(signature)) return undefined;
  const input = `${encodedHeader}.${encodedPayload}`;
  if (!(await jwsPool.verify(input, signature, found.key, JWS_METHODS[alg]))) return undefined;
  const payload = decodeJoseObject(encodedPayload);
  return payload === undefined ? undefined : { header, payload };
}

/** Refuses bytes that are not UTF-8 instead of replacing them, as jose did. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A JOSE header or JWT payload: base64url of UTF-8 JSON that is an object;
 * undefined otherwise, and for a part with a dangling character (a length
 * of 4n + 1), which Node's decoder would drop where jose's (atob) refuses it.
 */
export function decodeJoseObject(encoded: string): JoseObject | undefined {
  if (encoded.length % 4 === 1) return undefined;
  try {
    const value: unknown = JSON.parse(UTF8.decode(Buffer.from(encoded, 'base64url')));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JoseObject)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether base64url text is the one encoding of its bytes (Node's decoder is lenient). */
export function isCanonicalBase64url(text: string): boolean {
  return Buffer.from(text, 'base64url').toString('base64url') === text;
}
