import pg from 'pg';
import { leavesConnectionUsable } from './pooled-query.js';

/** node-postgres's error for an ErrorResponse of the server, as its parser fills it in. */
function serverError(severity: string, code: string): pg.DatabaseError {
  const error = new pg.DatabaseError('refused', 0, 'error');
  error.severity = severity;
  error.code = code;
  return error;
}

describe('leavesConnectionUsable: which failed statements hand their connection back to the pool', () => {
  it.each([
    ['a unique violation', serverError('ERROR', '23505')],
    ['a deadlock victim', serverError('ERROR', '40P01')],
    ['a syntax error', serverError('ERROR', '42601')],
  ])('when the server refuses a statement with %s then the connection is kept', (_, error) => {
    expect(leavesConnectionUsable(error)).toBe(true);
  });

  it.each([
    ['an administrator shutdown', serverError('FATAL', '57P01')],
    ['a crash shutdown', serverError('FATAL', '57P02')],
    ['a recovery conflict that ends the session', serverError('FATAL', '40001')],
    ['an error of a server that does not answer in English', serverError('FEHLER', '23505')],
    ['a connection exception', serverError('ERROR', '08006')],
    ['too many connections', serverError('FATAL', '53300')],
    ['an internal error', serverError('ERROR', 'XX000')],
    ['a PANIC', serverError('PANIC', '58000')],
    ['a prepared statement whose plan changed with the table', serverError('ERROR', '0A000')],
    ['a prepared statement the server no longer has', serverError('ERROR', '26000')],
    ['a lost socket', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['no error object', undefined],
  ])('when a statement fails with %s then the connection is dropped', (_, error) => {
    expect(leavesConnectionUsable(error)).toBe(false);
  });
});
