import { InitialSchema1795350274815 } from './1795350274815-InitialSchema.js';
import { TrustedIssuersAndJwtClientSecrets1795353945920 } from './1795353945920-TrustedIssuersAndJwtClientSecrets.js';

/** In order; the TypeORM CLI writes new ones beside this file (npm run migration:generate). */
export const POSTGRES_MIGRATIONS = [
  InitialSchema1795350274815,
  TrustedIssuersAndJwtClientSecrets1795353945920,
];
