import type { TrustedIssuerEntity } from '../../trust/trusted-issuer.entity.js';

export type TrustedIssuerBody = Record<string, unknown>;

/** A trusted issuer as the admin API shows it: the fields it was created with, an id and a date. */
export function presentTrustedIssuer(entity: TrustedIssuerEntity): TrustedIssuerBody {
  return {
    id: entity.id,
    issuer: entity.issuer,
    ...(entity.jwks !== null ? { jwks: entity.jwks } : {}),
    ...(entity.jwksUri !== null ? { jwks_uri: entity.jwksUri } : {}),
    ...(entity.allowedSubjects !== null ? { allowed_subjects: entity.allowedSubjects } : {}),
    ...(entity.allowedScopes !== null ? { allowed_scopes: entity.allowedScopes } : {}),
    created_at: Math.floor(entity.createdAt / 1000),
  };
}
