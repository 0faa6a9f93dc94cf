import {
  type SqliteConnection,
  SqliteTurnTransaction,
} from '../database/sqlite-turn-transaction.js';
import {
  type RawUserRow,
  toUserEntity,
  USER_COLUMNS,
  type UserKey,
  type UserLookup,
} from './user-rows.js';
import type { UserEntity } from './user.entity.js';

/** SQLite: prepared statements on the data source's one connection, a turn's lookups in one transaction. */
export class SqliteUserLookup implements UserLookup {
  private readonly byId;
  private readonly byUsername;

  constructor(connection: SqliteConnection) {
    const lookups = (key: UserKey) => {
      const select = connection.prepare(`SELECT ${USER_COLUMNS} FROM app_user WHERE ${key} = ?`);
      return new SqliteTurnTransaction(
        connection,
        (value: string) => select.get(value) as RawUserRow | undefined,
      );
    };
    this.byId = lookups('id');
    this.byUsername = lookups('username');
  }

  async findById(id: string): Promise<UserEntity | null> {
    return entityOf(await this.byId.run(id));
  }

  async findByUsername(username: string): Promise<UserEntity | null> {
    return entityOf(await this.byUsername.run(username));
  }
}

function entityOf(row: RawUserRow | undefined): UserEntity | null {
  return row === undefined ? null : toUserEntity(row);
}
