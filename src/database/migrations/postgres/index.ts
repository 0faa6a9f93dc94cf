import { InitialSchema1795350274815 } from './1795350274815-InitialSchema.js';

/** In order; the TypeORM CLI writes new ones beside this file (npm run migration:generate). */
export const POSTGRES_MIGRATIONS = [InitialSchema1795350274815];
