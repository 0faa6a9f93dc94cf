import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig } from '../config/database.config.js';
import { buildDataSourceOptions } from './database-options.js';
import { SqliteCheckpoints } from './sqlite-checkpoints.service.js';

/**
 * The TypeORM data source; pending migrations run before the app serves. On
 * SQLite, WAL checkpoints run on a thread of their own (SqliteCheckpoints).
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (config: ConfigType<typeof databaseConfig>) => buildDataSourceOptions(config),
    }),
  ],
  providers: [SqliteCheckpoints],
})
export class DatabaseModule {}
