import type { UserClaims } from './user-claims.js';
import { UserEntity } from './user.entity.js';

/** app_user's columns as the hot lookups read them (see UserEntity). */
export interface RawUserRow {
  readonly id: string;
  readonly username: string;
  readonly password_hash: string | null;
  readonly claims: string;
  readonly created_at: string | number;
  readonly updated_at: string | number;
}

export const USER_COLUMNS = 'id, username, password_hash, claims, created_at, updated_at';

/**
 * Users by id for the requests that read the user behind a token or a
 * session (UserInfo, the authorization endpoint), and by username for those
 * that check a password, as plain statements on the driver: through
 * TypeORM's query builder the lookup was a third of UserInfo's CPU on
 * SQLite. SqliteUserLookup and PooledUserLookup implement it.
 */
export interface UserLookup {
  findById(id: string): Promise<UserEntity | null>;
  /** The password grant's and the login page's lookup. */
  findByUsername(username: string): Promise<UserEntity | null>;
}

/** The unique columns a user is looked up by. */
export type UserKey = 'id' | 'username';

/** As TypeORM reads the row: claims from their JSON text, times from bigint (a string on PostgreSQL). */
export function toUserEntity(row: RawUserRow): UserEntity {
  const user = new UserEntity();
  user.id = row.id;
  user.username = row.username;
  user.passwordHash = row.password_hash;
  user.claims = JSON.parse(row.claims) as UserClaims;
  user.createdAt = Number(row.created_at);
  user.updatedAt = Number(row.updated_at);
  return user;
}
