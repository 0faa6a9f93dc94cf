import type { ValueTransformer } from 'typeorm';

/**
 * Times are stored as epoch milliseconds in a bigint column: one type that
 * SQLite and PostgreSQL agree on, with no time-zone conversion. They are
 * bound as strings: TypeORM writes JavaScript numbers into SQLite's SQL text,
 * which would make every statement new and defeat the prepared-statement
 * cache (the column's integer affinity stores and compares them as numbers).
 * PostgreSQL returns bigint as a string, hence the conversion back.
 */
export const epochMillis: ValueTransformer = {
  to: (value: number | null | undefined) => (typeof value === 'number' ? String(value) : value),
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
