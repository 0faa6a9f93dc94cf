import { InitialSchema1795350273457 } from './1795350273457-InitialSchema.js';

/** In order; the TypeORM CLI writes new ones beside this file (npm run migration:generate). */
export const SQLITE_MIGRATIONS = [InitialSchema1795350273457];
