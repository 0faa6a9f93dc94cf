import type { Pool } from 'pg';
import { PerTurnBatch } from '../common/runtime/per-turn-batch.js';
import { queryOnPool } from '../database/pooled-query.js';
import {
  type RawUserRow,
  toUserEntity,
  USER_COLUMNS,
  type UserKey,
  type UserLookup,
} from './user-rows.js';
import type { UserEntity } from './user.entity.js';

interface PendingLookup {
  readonly value: string;
  readonly resolve: (user: UserEntity | null) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * PostgreSQL: the lookups of one turn of the event loop go to the server
 * as one named SELECT per column looked up by, as the grant store's do.
 * Each through TypeORM was a round trip of its own, and UserInfo on
 * PostgreSQL ran at half node-oidc-provider's rate.
 */
export class PooledUserLookup implements UserLookup {
  private readonly byId = this.batchOf('id');
  private readonly byUsername = this.batchOf('username');

  constructor(private readonly pool: Pool) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.find(this.byId, id);
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.find(this.byUsername, username);
  }

  private find(batch: PerTurnBatch<PendingLookup>, value: string): Promise<UserEntity | null> {
    return new Promise((resolve, reject) => batch.add({ value, resolve, reject }));
  }

  private batchOf(key: UserKey): PerTurnBatch<PendingLookup> {
    const statement = {
      name: `user_select_any_${key}`,
      text: `SELECT ${USER_COLUMNS} FROM app_user WHERE ${key} = ANY($1::varchar[])`,
    };
    return new PerTurnBatch((batch) => void this.lookUp(statement, key, batch));
  }

  private async lookUp(
    statement: { name: string; text: string },
    key: UserKey,
    batch: PendingLookup[],
  ): Promise<void> {
    const values = [...new Set(batch.map((lookup) => lookup.value))];
    let rows: RawUserRow[];
    try {
      rows = (await queryOnPool<RawUserRow>(this.pool, { ...statement, values: [values] })).rows;
    } catch (error) {
      for (const lookup of batch) lookup.reject(error);
      return;
    }
    const found = new Map(rows.map((row) => [row[key], row]));
    // Each caller its own entity (they are mutable), and its own error: a
    // row that cannot be read (claims that are not JSON) fails only its callers.
    for (const lookup of batch) {
      const row = found.get(lookup.value);
      try {
        lookup.resolve(row === undefined ? null : toUserEntity(row));
      } catch (error) {
        lookup.reject(error);
      }
    }
  }
}
