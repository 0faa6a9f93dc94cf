import type { Pool } from 'pg';
import { PerTurnBatch } from '../common/runtime/per-turn-batch.js';
import { queryOnPool } from '../database/pooled-query.js';
import { type RawUserRow, toUserEntity, USER_COLUMNS, type UserLookup } from './user-rows.js';
import type { UserEntity } from './user.entity.js';

/** The users of one turn's lookups. */
const SELECT_ANY = {
  name: 'user_select_any',
  text: `SELECT ${USER_COLUMNS} FROM app_user WHERE id = ANY($1::varchar[])`,
} as const;

interface PendingLookup {
  readonly id: string;
  readonly resolve: (user: UserEntity | null) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * PostgreSQL: the lookups of one turn of the event loop go to the server
 * as one named SELECT, as the grant store's do. Each through TypeORM was a
 * round trip of its own, and UserInfo on PostgreSQL ran at half
 * node-oidc-provider's rate.
 */
export class PooledUserLookup implements UserLookup {
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
      lookup.resolve(row === undefined ? null : toUserEntity(row));
    }
  }
}
