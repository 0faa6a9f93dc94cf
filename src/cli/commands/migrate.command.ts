import { DataSource } from 'typeorm';
import { parseDatabaseConfig } from '../../config/database.config.js';
import { readEnvironment } from '../../config/environment.js';
import { buildDataSourceOptions } from '../../database/database-options.js';
import type { CliCommand } from '../cli-command.js';

/** Applies pending migrations (the service also does at start-up) and names them. */
export const migrateCommand: CliCommand = {
  name: 'migrate',
  options: [],
  usage: 'migrate                          apply pending database migrations',
  async run() {
    const options = buildDataSourceOptions(parseDatabaseConfig(readEnvironment()));
    const dataSource = new DataSource({ ...options, migrationsRun: false });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return { applied: applied.map((migration) => migration.name) };
    } finally {
      await dataSource.destroy();
    }
  },
};
