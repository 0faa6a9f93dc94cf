import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { timeOrderedId } from '../common/crypto/time-ordered-id.js';
import { epochSeconds } from '../common/time.js';
import { serverConfig } from '../config/server.config.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { TOKEN_PATH } from '../grants/token.controller.js';
import { PersistedGrantStore } from '../tokens/persisted-grant.store.js';
import { ASSERTION_CLOCK_SKEW, assertionTimeProblem } from './assertion-times.js';
import { InvalidAssertionError } from './invalid-assertion.error.js';
import { ASYMMETRIC_JWS_ALGORITHMS } from './jws-algorithms.js';
import { JwksResolver } from './jwks-resolver.js';
import { verifyJwtOnPool } from './pooled-jwt-verification.js';
import type { TrustedIssuerEntity } from './trusted-issuer.entity.js';
import { TrustedIssuersService } from './trusted-issuers.service.js';

/** A trusted issuer's JWT that passed every check. */
export interface VerifiedTrustedIssuerJwt {
  readonly issuer: string;
  readonly subject: string;
  readonly claims: JWTPayload;
  /** The issuer's record: allowed subjects (already enforced) and allowed scopes. */
  readonly trustedIssuer: TrustedIssuerEntity;
}

export interface TrustedIssuerJwtOptions {
  /**
   * A caller's own check (e.g. of scopes), run after every check of the JWT
   * and before its jti is recorded: what it refuses leaves the jti unused.
   */
  beforeUse?(verified: VerifiedTrustedIssuerJwt): void | Promise<void>;
}

/** How a client assertion (RFC 7523 §2.2) is checked: the client is its iss and sub. */
export interface ClientAssertionCheck {
  readonly clientId: string;
  /** The client's registered keys, or its secret's bytes (client_secret_jwt). */
  readonly keys: JWTVerifyGetKey | Uint8Array;
  readonly algorithms: readonly string[];
  readonly audiences: readonly string[];
}

/** Longest sub and jti accepted (a subject becomes a token's sub and a stored column). */
const MAX_IDENTIFIER_LENGTH = 255;

/**
 * Verifies JWT assertions (RFC 7521, RFC 7523): JWT bearer grant assertions
 * and token exchange subject tokens from trusted issuers, and client
 * assertions (private_key_jwt, client_secret_jwt). Checks, in order: a
 * well-formed JWT; the signature with an allowed algorithm (asymmetric ones
 * for published keys, never `none`, never HMAC with a public key); `iss`;
 * `aud` one of the given audiences; `exp`/`nbf`/`iat` with 60 s of skew and
 * a lifetime of at most an hour; `sub`; and last the `jti`, which is recorded
 * in the persisted-grant store until the assertion expires, so that of two
 * uses (even racing ones, on any instance) only the first succeeds.
 *
 * Refusals are InvalidAssertionError; callers map them to their protocol error.
 */
@Injectable()
export class JwtAssertionVerifier {
  constructor(
    private readonly issuers: TrustedIssuersService,
    private readonly jwks: JwksResolver,
    private readonly store: PersistedGrantStore,
    @Inject(serverConfig.KEY) private readonly server: ConfigType<typeof serverConfig>,
  ) {}

  /**
   * The audiences an assertion sent to this service may name: the issuer
   * identifier, the token endpoint URL, and the URLs of the given other
   * endpoint paths (e.g. 'introspect').
   */
  audiences(...endpointPaths: string[]): string[] {
    const url = (path: string) => `${this.server.issuer}/${path.replace(/^\//, '')}`;
    return [...new Set([this.server.issuer, url(TOKEN_PATH), ...endpointPaths.map(url)])];
  }

  /**
   * A JWT of a trusted issuer (admin API /admin/trusted-issuers), checked
   * against that issuer's keys, with a subject the issuer may assert. Its jti
   * is used up.
   */
  async verifyTrustedIssuerJwt(
    token: string,
    audiences: string[],
    options: TrustedIssuerJwtOptions = {},
  ): Promise<VerifiedTrustedIssuerJwt> {
    const issuer = unverifiedIssuer(token);
    const trustedIssuer = await this.issuers.findByIssuer(issuer);
    if (trustedIssuer === undefined) {
      throw new InvalidAssertionError('is from an issuer that is not trusted', `iss ${issuer}`);
    }
    const keys = this.jwks.keysFor(trustedIssuer, {
      jwks: trustedIssuer.jwks,
      jwksUri: trustedIssuer.jwksUri,
    });
    const claims = await this.verifySigned(token, {
      issuer,
      keys,
      algorithms: ASYMMETRIC_JWS_ALGORITHMS,
      audiences,
    });
    const subject = claims.sub!;
    const allowed = trustedIssuer.allowedSubjects;
    if (allowed !== null && !allowed.includes(subject)) {
      throw new InvalidAssertionError(
        'names a subject that its issuer may not assert',
        `iss ${issuer} sub ${subject}`,
      );
    }
    const verified = { issuer, subject, claims, trustedIssuer };
    await options.beforeUse?.(verified);
    await this.useJti(issuer, claims);
    return verified;
  }

  /** A client assertion: iss and sub are the client, signed with its keys or secret. Its jti is used up. */
  async verifyClientAssertion(token: string, check: ClientAssertionCheck): Promise<JWTPayload> {
    const claims = await this.verifySigned(token, { ...check, issuer: check.clientId });
    if (claims.sub !== check.clientId) {
      throw new InvalidAssertionError(
        'must have sub equal to iss, the client_id',
        `client ${check.clientId} sub ${claims.sub}`,
      );
    }
    await this.useJti(check.clientId, claims);
    return claims;
  }

  private async verifySigned(
    token: string,
    check: {
      issuer: string;
      keys: JWTVerifyGetKey | Uint8Array;
      algorithms: readonly string[];
      audiences: readonly string[];
    },
  ): Promise<JWTPayload> {
    const options = {
      issuer: check.issuer,
      audience: [...check.audiences],
      algorithms: [...check.algorithms],
      clockTolerance: ASSERTION_CLOCK_SKEW,
    };
    let claims: JWTPayload;
    try {
      // Published keys: the signature on the signing pool; a secret (client_secret_jwt): jose.
      claims =
        typeof check.keys === 'function'
          ? await verifyJwtOnPool(token, check.keys, options)
          : (await jwtVerify(token, check.keys, options)).payload;
    } catch (error) {
      throw refusalOf(error, check.issuer);
    }
    const timeProblem = assertionTimeProblem(claims, epochSeconds());
    if (timeProblem !== undefined) throw new InvalidAssertionError(timeProblem);
    if (!isIdentifier(claims.sub)) {
      throw new InvalidAssertionError(
        claims.sub === undefined ? 'has no sub claim' : 'has a sub claim that is not acceptable',
      );
    }
    if (!isIdentifier(claims.jti)) {
      throw new InvalidAssertionError(
        claims.jti === undefined ? 'has no jti claim' : 'has a jti claim that is not acceptable',
      );
    }
    return claims;
  }

  /**
   * Records `${iss}:${jti}` as used until the assertion expires (plus skew).
   * The store's unique handle makes the second of two uses fail, however
   * close together they come. A leftover row of an expired assertion that
   * the sweeper has not removed yet does not count.
   */
  private async useJti(issuer: string, claims: JWTPayload, retry = true): Promise<void> {
    const handle = `${issuer}:${claims.jti!}`;
    try {
      await this.store.add({
        type: 'assertion_jti',
        handle,
        // Belongs to no client or user: deleting one must not reopen a replay window.
        clientId: '',
        subject: null,
        familyId: timeOrderedId(),
        expiresAt: (claims.exp! + ASSERTION_CLOCK_SKEW) * 1000,
        payload: {},
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.store.findByHandle(handle, 'assertion_jti');
      if (retry && existing !== null && existing.expiresAt <= Date.now()) {
        await this.store.delete(existing.id);
        return this.useJti(issuer, claims, false);
      }
      throw new InvalidAssertionError(
        'was already used: its jti has been seen before',
        `jti replayed: iss ${issuer} jti ${claims.jti!}`,
      );
    }
  }
}

/** The `iss` of a JWT before anything is verified: only to find whose keys to check it with. */
function unverifiedIssuer(token: string): string {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new InvalidAssertionError('is not a well-formed JWT');
  }
  if (typeof claims.iss !== 'string' || claims.iss === '') {
    throw new InvalidAssertionError('has no iss claim');
  }
  return claims.iss;
}

function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_IDENTIFIER_LENGTH;
}

/** A jose refusal (or a failed key fetch) as the public reason; anything else as it is. */
export function refusalOf(error: unknown, issuer: string): unknown {
  const detail = `iss ${issuer}: ${error instanceof Error ? error.message : String(error)}`;
  const refuse = (reason: string) => new InvalidAssertionError(reason, detail);
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return refuse('is signed with an algorithm that is not allowed');
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return refuse('is signed with a key that is not registered for its issuer');
  }
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return refuse('names no kid and several registered keys could have signed it');
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return refuse('has an invalid signature');
  }
  if (error instanceof joseErrors.JWTExpired) return refuse('has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return refuse(
          error.reason === 'missing'
            ? 'has no aud claim'
            : 'is not meant for this server: aud must be its issuer or token endpoint',
        );
      case 'iss':
        return refuse('has an unexpected iss claim');
      case 'nbf':
        return refuse('is not yet valid (nbf)');
      default:
        return refuse(`has an invalid ${error.claim} claim`);
    }
  }
  if (
    error instanceof joseErrors.JWSInvalid ||
    error instanceof joseErrors.JWTInvalid ||
    error instanceof joseErrors.JOSENotSupported
  ) {
    return refuse('is not a valid signed JWT');
  }
  // Left: a fetch of jwks_uri that failed (network, timeout, status, size) or keys jose cannot use.
  if (error instanceof joseErrors.JOSEError || error instanceof TypeError) {
    return refuse('cannot be checked: the keys of its issuer are unavailable or unusable');
  }
  return error;
}
