import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { databaseConfig } from '../config/database.config.js';
import { driverHandle } from './driver-handles.js';
import { type CheckpointedConnection, SqliteCheckpointer } from './sqlite-checkpointer.js';

/** Runs the SqliteCheckpointer of a SQLite database file while the application runs. */
@Injectable()
export class SqliteCheckpoints implements OnApplicationBootstrap, OnApplicationShutdown {
  private checkpointer?: SqliteCheckpointer;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) private readonly config: ConfigType<typeof databaseConfig>,
  ) {}

  /** Whether a checkpoint thread runs (tests, health). */
  get running(): boolean {
    return this.checkpointer?.running ?? false;
  }

  async onApplicationBootstrap(): Promise<void> {
    const handle = driverHandle(this.dataSource);
    // An in-memory database has no WAL and no second connection to it.
    if (
      handle.kind !== 'sqlite' ||
      this.config.type !== 'sqlite' ||
      this.config.path === ':memory:'
    )
      return;
    this.checkpointer = new SqliteCheckpointer(
      handle.connection as unknown as CheckpointedConnection,
      this.config.path,
    );
    await this.checkpointer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.checkpointer?.stop();
  }
}
