/**
 * The e2e specs share their worker process with the files before them
 * (isolate: false in vitest.config.ts, which saves importing Nest, TypeORM
 * and the service once per file). What one file changes in the process is
 * put back when it ends, so that the next file starts as if it were alone:
 * startTestApp writes its settings into process.env, and a file may add its
 * own (a REDIS_URL that a later file must not inherit).
 */
import { readEnvironment } from '../../src/config/environment.js';

// The service loads .env once per process: load it before the snapshot, so
// that putting the environment back keeps it for the files after this one.
const environment = { ...readEnvironment() };

afterAll(() => {
  for (const name of Object.keys(process.env)) {
    if (!(name in environment)) delete process.env[name];
  }
  Object.assign(process.env, environment);
  vi.useRealTimers();
});
