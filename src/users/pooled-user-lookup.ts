import type { Pool } from 'pg';
import { PerTurnBatch } from '../common/runtime/per-turn-batch.js';
import { queryOnPool } from '../database/pooled-query.js';
import type { UserClaims } from './user-claims.js';
import { UserEntity } from './user.entity.js';

interface RawUserRow {
  readonly id: string;
  readonly username: string;
  readonly password_hash: string | null;
  readonly claims: string;
  readonly created_at: string;
  readonly updated_at: string;
}

/** The users of one turn's lookups (UserEntity's columns). */
const SELECT_ANY = {
  name: 'user_select_any',
  text: 'SELECT id, username, password_hash, claims, created_at, updated_at FROM app_user WHERE id = ANY($1::varchar[])',
} as const;

interface PendingLookup {
  readonly id: string;
  readonly resolve: (user: UserEntity | null) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Users by id on PostgreSQL, for the requests that read the user behind a
 * token or a session (UserInfo, the authorization endpoint): the lookups of
 * one turn of the event loop go to the server as one named SELECT, as the
 * grant store's do. Each through TypeORM was a round trip of its own, and
 * UserInfo on PostgreSQL ran at half node-oidc-provider's rate.
 */
export class PooledUserLookup {
  private readonly lookups = new PerTurnBatch<PendingLookup>((batch) => void this.lookUp(batch));

  constructor(private readonly pool: Pool) {}

  findById(id: string): Promise<UserEntity | null> {
    return new Promise((resolve, reject) => this.lookups.add({ id, resolve, reject }));
  }

  private async lookUp(batch: PendingLookup[]): Promise<void> {
    const ids = [...new Set(batch.map((lookup) => lookup.id))];
    let rows: RawUserRow[];
    try {
      rows = (await queryOnPool<RawUserRow>(this.pool, { ...SELECT_ANY, values: [ids] })).rows;
    } catch (error) {
      for (const lookup of batch) lookup.reject(error);
      return;
    }
    const found = new Map(rows.map((row) => [row.id, row]));
    // Each caller its own entity: they are mutable.
    for (const lookup of batch) {
      const row = found.get(lookup.id);
      lookup.resolve(row === undefined ? null : toEntity(row));
    }
  }
}

/** As TypeORM reads the row: claims from their JSON text, times from bigint strings. */
function toEntity(row: RawUserRow): UserEntity {
  const user = new UserEntity();
  user.id = row.id;
  user.username = row.username;
  user.passwordHash = row.password_hash;
  user.claims = JSON.parse(row.claims) as UserClaims;
  user.createdAt = Number(row.created_at);
  user.updatedAt = Number(row.updated_at);
  return user;
}
