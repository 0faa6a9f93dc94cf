import { defineConfig } from 'vitest/config';

/**
 * Unit specs sit beside the code (src/**\/*.spec.ts); e2e specs under test/e2e
 * run once on SQLite and, when TEST_DATABASE_URL is set, again on PostgreSQL.
 */
const e2e = (name: string, database: string) => ({
  extends: true as const,
  test: {
    name,
    include: ['test/e2e/**/*.e2e-spec.ts'],
    env: { TEST_DATABASE: database },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  test: {
    globals: true,
    root: './',
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.spec.ts'] } },
      e2e('e2e-sqlite', 'sqlite'),
      ...(process.env.TEST_DATABASE_URL ? [e2e('e2e-postgres', 'postgres')] : []),
    ],
  },
});
