import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis } from '../database/columns.js';

/**
 * One short-lived item a flow leaves behind: a refresh token, a reference
 * access token, a revoked JWT id, and later codes and consents. Only the
 * SHA-256 of the handle is stored.
 */
@Entity({ name: 'persisted_grant' })
export class PersistedGrantEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'type', type: 'varchar', length: 40 })
  type: string;

  @Index('uq_persisted_grant_handle_hash', { unique: true })
  @Column({ name: 'handle_hash', type: 'varchar', length: 64 })
  handleHash: string;

  @Index('ix_persisted_grant_client_id')
  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId: string;

  @Index('ix_persisted_grant_subject')
  @Column({ name: 'subject', type: 'varchar', length: 255, nullable: true })
  subject: string | null;

  /** Links everything one authorization produced, so it can be revoked together. */
  @Index('ix_persisted_grant_family_id')
  @Column({ name: 'family_id', type: 'varchar', length: 36 })
  familyId: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Index('ix_persisted_grant_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillis })
  expiresAt: number;

  @Column({ name: 'consumed_at', type: 'bigint', transformer: epochMillis, nullable: true })
  consumedAt: number | null;

  @Column({ name: 'payload', type: 'simple-json' })
  payload: Record<string, unknown>;
}
