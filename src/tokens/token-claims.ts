/** What an access token says, whichever its format: RFC 9068 claim names. */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | string[];
  readonly client_id: string;
  readonly scope?: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  readonly auth_time?: number;
  /** Only in reference tokens' stored payload and introspection, never in a JWT. */
  readonly username?: string;
  /** RFC 8693 §4.1: who acts for the subject (delegation); a nested act is the prior actor. */
  readonly act?: ActorClaim;
}

/** RFC 8693 §4.1 actor claim. */
export interface ActorClaim {
  readonly sub: string;
  /** When the actor's subject is one of another issuer. */
  readonly iss?: string;
  readonly act?: ActorClaim;
}

/** What a grant hands to the token services to mint an access token. */
export interface AccessTokenSubject {
  /** The user's id, or undefined when the client acts for itself. */
  readonly subject: string | undefined;
  readonly username?: string;
  readonly scopes: readonly string[];
  readonly authTime?: number;
  /** The authorization this token belongs to, when it has one (refresh family). */
  readonly familyId?: string;
  /** A jti chosen beforehand (an authorization code records it, to revoke the token on replay). */
  readonly jti?: string;
  /** An iat chosen beforehand, with the jti, so that the recorded exp is the token's. */
  readonly issuedAt?: number;
  /** The token's aud when not this issuer (RFC 8693 audience / resource). */
  readonly audience?: string | readonly string[];
  /** RFC 8693 §4.1 delegation: put in the JWT and the reference token's payload. */
  readonly act?: ActorClaim;
}
