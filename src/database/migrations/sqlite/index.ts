import { InitialSchema1795350273457 } from './1795350273457-InitialSchema.js';
import { TrustedIssuersAndJwtClientSecrets1795353913034 } from './1795353913034-TrustedIssuersAndJwtClientSecrets.js';

/** In order; the TypeORM CLI writes new ones beside this file (npm run migration:generate). */
export const SQLITE_MIGRATIONS = [
  InitialSchema1795350273457,
  TrustedIssuersAndJwtClientSecrets1795353913034,
];
