import type { JSONWebKeySet } from 'jose';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis } from '../database/columns.js';

/**
 * A party whose signed JWTs this service accepts (RFC 7523 §3): as JWT
 * bearer grant assertions and as token exchange subject tokens. Its keys are
 * given inline (`jwks`) or fetched (`jwks_uri`), exactly one of the two.
 */
@Entity({ name: 'trusted_issuer' })
export class TrustedIssuerEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id: string;

  /** The `iss` value its JWTs carry, compared exactly. */
  @Index('uq_trusted_issuer_issuer', { unique: true })
  @Column({ name: 'issuer', type: 'varchar', length: 1000 })
  issuer: string;

  @Column({ name: 'jwks', type: 'simple-json', nullable: true })
  jwks: JSONWebKeySet | null;

  @Column({ name: 'jwks_uri', type: 'varchar', length: 2000, nullable: true })
  jwksUri: string | null;

  /** The subjects its assertions may name; null: any subject. */
  @Column({ name: 'allowed_subjects', type: 'simple-json', nullable: true })
  allowedSubjects: string[] | null;

  /** The scopes a token for its assertions may carry; null: no limit beyond the client's. */
  @Column({ name: 'allowed_scopes', type: 'simple-json', nullable: true })
  allowedScopes: string[] | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;
}
