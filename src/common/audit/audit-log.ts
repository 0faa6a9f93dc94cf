import { Logger } from '@nestjs/common';

/** Audit event names (STYLE.md §10). */
export type AuditEvent = 'grant.succeeded' | 'grant.failed' | 'client.authentication_failed';

const logger = new Logger('Audit');

/**
 * Writes one audit line: event name and identifiers, never a token, secret or
 * password. Failures are warnings; successes are at debug level, so that the
 * token endpoint's hot path writes nothing by default.
 */
export function audit(
  event: AuditEvent,
  fields: Readonly<Record<string, string | undefined>>,
): void {
  const level = event === 'grant.succeeded' ? 'debug' : 'warn';
  if (!Logger.isLevelEnabled(level)) return;
  const line = `${event} ${Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ')}`;
  if (level === 'debug') logger.debug(line);
  else logger.warn(line);
}
