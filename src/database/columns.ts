import type { ValueTransformer } from 'typeorm';

/**
 * Times are stored as epoch milliseconds in a bigint column: one type that
 * SQLite and PostgreSQL agree on, with no time-zone conversion. PostgreSQL
 * returns bigint as a string, hence the transformer.
 */
export const epochMillis: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
