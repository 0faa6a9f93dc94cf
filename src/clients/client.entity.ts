import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMillis } from '../database/columns.js';
import type { ClientMetadata } from './client-metadata.js';

@Entity({ name: 'client' })
export class ClientEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 255 })
  clientId: string;

  /** SHA-256 of the service-generated secret; null for public clients. */
  @Column({ name: 'secret_hash', type: 'varchar', length: 64, nullable: true })
  secretHash: string | null;

  /** client_secret_jwt only: the secret itself, AES-256-GCM encrypted (KeysService.sealSecret). */
  @Column({ name: 'encrypted_secret', type: 'text', nullable: true })
  encryptedSecret: string | null;

  /** The registered metadata (RFC 7591 names), defaults filled in. */
  @Column({ name: 'metadata', type: 'simple-json' })
  metadata: ClientMetadata;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;
}
