import { defineConfig } from 'vitest/config';

/**
 * Unit specs sit beside the code (src/**\/*.spec.ts); e2e specs under test/e2e
 * run once on SQLite and, when TEST_DATABASE_URL is set, again on PostgreSQL.
 *
 * The e2e files of a worker run in one process (isolate: false): importing
 * Nest, TypeORM and the service took ~2.7 s a file, 3 of the suite's 11
 * minutes on 2 cores. Each starts its own service on its own database, and
 * file-isolation.ts puts back the environment a file changed. A spec must not
 * use vi.mock on a module of the service (the module may already be loaded;
 * the linter refuses it in every spec file): options of createApp
 * (IdentityServiceOptions) are the way to vary it.
 */
/**
 * Files that need a process of their own: the log test reads what its service
 * logs, and nestjs-pino keeps one root logger per process (the first
 * application's), so after another file its start-up lines went elsewhere.
 */
const OWN_PROCESS = ['test/e2e/operations/log-redaction.e2e-spec.ts'];

const e2e = (name: string, database: string) => [
  {
    extends: true as const,
    test: {
      name,
      include: ['test/e2e/**/*.e2e-spec.ts'],
      exclude: OWN_PROCESS,
      env: { TEST_DATABASE: database },
      isolate: false,
      setupFiles: ['test/support/file-isolation.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  },
  {
    extends: true as const,
    test: {
      name: `${name}-own-process`,
      include: OWN_PROCESS,
      env: { TEST_DATABASE: database },
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  },
];

export default defineConfig({
  test: {
    globals: true,
    root: './',
    // Names the run, and drops its template databases at the end (test-app.ts).
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      // Unit files share their worker's process too: importing afresh per file made the
      // project take 52 s instead of 19 on 2 cores. unit-isolation.ts puts back what a file
      // changes process-wide.
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.spec.ts'],
          isolate: false,
          setupFiles: ['test/support/unit-isolation.ts'],
        },
      },
      ...e2e('e2e-sqlite', 'sqlite'),
      ...(process.env.TEST_DATABASE_URL ? e2e('e2e-postgres', 'postgres') : []),
    ],
  },
});
