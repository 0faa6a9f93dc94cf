import type { JWK } from 'jose';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMillis } from '../database/columns.js';
import type { SigningAlgorithm } from './signing-algorithm.js';

/** next: published, not yet signing; current: signing; retired: published until retain_until. */
export type SigningKeyState = 'next' | 'current' | 'retired';

@Entity({ name: 'signing_key' })
export class SigningKeyEntity {
  @PrimaryColumn({ name: 'kid', type: 'varchar', length: 64 })
  kid: string;

  @Column({ name: 'alg', type: 'varchar', length: 16 })
  alg: SigningAlgorithm;

  @Column({ name: 'state', type: 'varchar', length: 16 })
  state: SigningKeyState;

  @Column({ name: 'public_jwk', type: 'simple-json' })
  publicJwk: JWK;

  /** The PKCS#8 private key, AES-256-GCM encrypted (see key-encryption.ts). */
  @Column({ name: 'encrypted_private_key', type: 'text' })
  encryptedPrivateKey: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Column({ name: 'activated_at', type: 'bigint', transformer: epochMillis, nullable: true })
  activatedAt: number | null;

  @Column({ name: 'retired_at', type: 'bigint', transformer: epochMillis, nullable: true })
  retiredAt: number | null;

  /** For a retired key: when everything it signed has expired and it leaves the JWKS. */
  @Column({ name: 'retain_until', type: 'bigint', transformer: epochMillis, nullable: true })
  retainUntil: number | null;
}
