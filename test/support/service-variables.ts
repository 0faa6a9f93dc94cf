/**
 * The service's own environment variables: a spec that spawns the built
 * service removes them from what it inherits, so none leaks in from the
 * environment vitest runs in (startTestApp sets several in process.env).
 */
export const SERVICE_VARIABLES = [
  'PORT',
  'ISSUER',
  'DATABASE_URL',
  'REDIS_URL',
  'ADMIN_CLIENT_ID',
  'ADMIN_CLIENT_SECRET',
  'ACCESS_TOKEN_SIGNING_ALG',
  'KEY_ENCRYPTION_SECRET',
  'LOG_LEVEL',
  'SHUTDOWN_TIMEOUT_MS',
  'KEY_ROTATION_PERIOD',
  'FAILURE_LIMITS',
] as const;
