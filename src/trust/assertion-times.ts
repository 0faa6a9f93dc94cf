import type { JWTPayload } from 'jose';

/** Clock skew tolerated on exp, nbf and iat, in seconds. */
export const ASSERTION_CLOCK_SKEW = 60;
/** The longest an assertion may be valid for, in seconds (exp - iat, or exp - now without iat). */
export const MAX_ASSERTION_LIFETIME = 3600;

/**
 * Why an assertion's times make it unacceptable now, or undefined:
 * `exp` present and not past, `nbf` and `iat` not in the future (each with
 * ASSERTION_CLOCK_SKEW), and a lifetime of at most MAX_ASSERTION_LIFETIME,
 * so that a stolen assertion is useful only briefly and its jti need only
 * be remembered that long. The reason completes "the assertion ...".
 */
export function assertionTimeProblem(claims: JWTPayload, now: number): string | undefined {
  const { exp, nbf, iat } = claims;
  if (exp === undefined) return 'has no exp claim';
  if (!isTime(exp)) return 'has an exp claim that is not a number';
  if (nbf !== undefined && !isTime(nbf)) return 'has an nbf claim that is not a number';
  if (iat !== undefined && !isTime(iat)) return 'has an iat claim that is not a number';
  if (exp <= now - ASSERTION_CLOCK_SKEW) return 'has expired';
  if (nbf !== undefined && nbf > now + ASSERTION_CLOCK_SKEW) return 'is not yet valid (nbf)';
  if (iat !== undefined && iat > now + ASSERTION_CLOCK_SKEW)
    return 'was issued in the future (iat)';
  const lifetime = iat === undefined ? exp - now : exp - iat;
  const allowed =
    iat === undefined ? MAX_ASSERTION_LIFETIME + ASSERTION_CLOCK_SKEW : MAX_ASSERTION_LIFETIME;
  if (lifetime > allowed) {
    return `is valid for too long: at most ${MAX_ASSERTION_LIFETIME} seconds are accepted`;
  }
  return undefined;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
