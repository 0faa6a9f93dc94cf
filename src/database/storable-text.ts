/**
 * Whether a caller-given string can name a stored row. PostgreSQL text cannot
 * hold U+0000 (a query with one fails: "invalid byte sequence"), SQLite can;
 * no identifier the service stores contains one, so a value with a NUL names
 * nothing and is answered as not found without reaching the database.
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000');
}
