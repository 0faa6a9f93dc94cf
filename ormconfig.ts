import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseDatabaseConfig } from './src/config/database.config.js';
import { readEnvironment } from './src/config/environment.js';
import { buildDataSourceOptions } from './src/database/database-options.js';

/**
 * The data source of the TypeORM CLI, with the application's own options:
 *   npm run migration:run
 *   npm run migration:generate -- src/database/migrations/sqlite/Name
 * DATABASE_URL chooses the database, as for the service.
 */
export default new DataSource(buildDataSourceOptions(parseDatabaseConfig(readEnvironment())));
