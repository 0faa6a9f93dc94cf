import {
  type SqliteConnection,
  SqliteTurnTransaction,
} from '../database/sqlite-turn-transaction.js';
import { type RawUserRow, toUserEntity, USER_COLUMNS, type UserLookup } from './user-rows.js';
import type { UserEntity } from './user.entity.js';

/** SQLite: a prepared statement on the data source's one connection, a turn's lookups in one transaction. */
export class SqliteUserLookup implements UserLookup {
  private readonly lookups;

  constructor(connection: SqliteConnection) {
    const select = connection.prepare(`SELECT ${USER_COLUMNS} FROM app_user WHERE id = ?`);
    this.lookups = new SqliteTurnTransaction(
      connection,
      (id: string) => select.get(id) as RawUserRow | undefined,
    );
  }

  async findById(id: string): Promise<UserEntity | null> {
    const row = await this.lookups.run(id);
    return row === undefined ? null : toUserEntity(row);
  }
}
