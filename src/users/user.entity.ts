import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMillis } from '../database/columns.js';
import type { UserClaims } from './user-claims.js';

@Entity({ name: 'app_user' })
export class UserEntity {
  /** The stable subject identifier (a UUID), never reassigned. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'username', type: 'varchar', length: 255, unique: true })
  username: string;

  /** argon2id PHC string; null for a user who cannot sign in with a password. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  /** OpenID Connect standard claims (Core §5.1) other than sub. */
  @Column({ name: 'claims', type: 'simple-json' })
  claims: UserClaims;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt: number;
}
