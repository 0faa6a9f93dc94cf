import type { UserEntity } from '../../users/user.entity.js';

export type UserBody = Record<string, unknown>;

/** A user as the admin API shows it: id, username and claims; never the password or its hash. */
export function presentUser(user: UserEntity): UserBody {
  return {
    id: user.id,
    username: user.username,
    ...user.claims,
    created_at: Math.floor(user.createdAt / 1000),
    updated_at: Math.floor(user.updatedAt / 1000),
  };
}
