import { Logger } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomHandle } from '../common/crypto/secrets.js';
import type { DatabaseConfig } from '../config/database.config.js';
import type { KeysConfig } from '../config/keys.config.js';

/**
 * The configured KEY_ENCRYPTION_SECRET, or else one generated on first start
 * and kept (mode 0600) beside the SQLite file, or under ./data for PostgreSQL.
 */
export function resolveKeyEncryptionSecret(keys: KeysConfig, database: DatabaseConfig): string {
  if (keys.encryptionSecret !== undefined) return keys.encryptionSecret;
  const directory =
    database.type === 'sqlite' && database.path !== ':memory:' ? dirname(database.path) : './data';
  const file = join(directory, 'key-encryption.secret');
  new Logger('Keys').warn(
    `KEY_ENCRYPTION_SECRET is not set: private signing keys are encrypted with the generated secret in ${file}. Set KEY_ENCRYPTION_SECRET in production, and the same on every instance.`,
  );
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(directory, { recursive: true });
  const secret = randomHandle();
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
