import { invalidEnvironmentError } from '../../test/support/thrown-error.js';
import { DEFAULT_SQLITE_PATH, parseDatabaseConfig } from './database.config.js';

describe('parseDatabaseConfig', () => {
  it('when DATABASE_URL is unset then it is SQLite at ./data/identity.sqlite', () => {
    expect(DEFAULT_SQLITE_PATH).toBe('./data/identity.sqlite');
    expect(parseDatabaseConfig({})).toEqual({ type: 'sqlite', path: './data/identity.sqlite' });
  });

  it('when DATABASE_URL is blank then it is the default SQLite file', () => {
    expect(parseDatabaseConfig({ DATABASE_URL: ' ' })).toEqual({
      type: 'sqlite',
      path: DEFAULT_SQLITE_PATH,
    });
  });

  it.each([
    ['sqlite:./db/identity.sqlite', './db/identity.sqlite'],
    ['sqlite:/var/lib/identity/identity.sqlite', '/var/lib/identity/identity.sqlite'],
    ['sqlite::memory:', ':memory:'],
  ])('when DATABASE_URL is %s then it is SQLite at %s', (url, path) => {
    expect(parseDatabaseConfig({ DATABASE_URL: url })).toEqual({ type: 'sqlite', path });
  });

  it.each([
    'postgres://identity:secret@db.internal:5432/identity',
    'postgresql://identity@localhost/identity?sslmode=require',
  ])('when DATABASE_URL is %s then it is PostgreSQL with that URL', (url) => {
    expect(parseDatabaseConfig({ DATABASE_URL: url })).toEqual({ type: 'postgres', url });
  });

  it.each([
    ['another database', 'mysql://x'],
    ['no file after sqlite:', 'sqlite:'],
    ['a bare file name', 'identity.sqlite'],
    ['a postgres URL with a bad port', 'postgres://db.internal:port/identity'],
    ['a postgres URL with a port out of range', 'postgres://db.internal:99999/identity'],
    ['an upper-case scheme', 'POSTGRES://db/identity'],
  ])('when DATABASE_URL is %s then start-up fails naming DATABASE_URL', (_, url) => {
    const error = invalidEnvironmentError(() => parseDatabaseConfig({ DATABASE_URL: url }));
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).toMatch(/^Invalid configuration: DATABASE_URL \S[^\r\n]*$/);
  });

  it('when DATABASE_URL is a bad postgres URL then its password is not in the message', () => {
    const error = invalidEnvironmentError(() =>
      parseDatabaseConfig({ DATABASE_URL: 'postgres://u:hunter2@db:port/identity' }),
    );
    expect(error.message).not.toContain('hunter2');
  });
});
