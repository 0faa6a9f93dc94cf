import { ProblemError } from './problem.error.js';

/** Opaque pagination cursors of the admin API: the last key seen, base64url-encoded. */
export function encodeCursor(key: string): string {
  return Buffer.from(key).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw ProblemError.badRequest('cursor is not valid');
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
