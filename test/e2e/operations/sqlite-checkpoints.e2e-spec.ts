import { statSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { driverHandle } from '../../../src/database/driver-handles.js';
import { SqliteCheckpoints } from '../../../src/database/sqlite-checkpoints.service.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';

/** SQLite's WAL checkpoints on a thread of their own (src/database/sqlite-checkpointer.ts). */
describe('SQLite WAL checkpoints on a thread of their own', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp();
  });
  afterAll(() => service?.close());

  it.skipIf(process.env.TEST_DATABASE === 'postgres')(
    'when the service runs on a SQLite file then a thread checkpoints, the service connection makes no automatic checkpoint, and tokens written meanwhile are all found',
    async () => {
      expect(service.app.get(SqliteCheckpoints).running).toBe(true);
      const handle = driverHandle(service.app.get(DataSource));
      if (handle.kind !== 'sqlite') throw new Error('expected SQLite');
      const connection = handle.connection as unknown as {
        pragma(source: string, options: { simple: true }): unknown;
      };
      expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

      // Without a checkpoint nothing written reaches the database file (it all stays in the WAL,
      // far below the 4 MB of an automatic checkpoint); the thread copies it there.
      const file = new URL(service.db.url.replace(/^sqlite:/, 'file://')).pathname;
      const sizeBefore = statSync(file).size;
      const client = await service.createClient({
        grant_types: ['client_credentials'],
        scope: 'orders:read',
        access_token_format: 'reference',
      });
      const tokens: string[] = [];
      for (let round = 0; round < 10; round++) {
        const issued = await Promise.all(
          Array.from({ length: 30 }, () =>
            service.postForm(
              '/token',
              { grant_type: 'client_credentials' },
              { basic: [client.client_id, client.client_secret!] },
            ),
          ),
        );
        for (const response of issued) {
          expect(response.status).toBe(200);
          tokens.push(response.body.access_token as string);
        }
      }
      // Long enough for the thread's checkpoints (every 100 ms) to copy what was written.
      await new Promise((wait) => setTimeout(wait, 500));
      expect(statSync(file).size).toBeGreaterThan(sizeBefore);
      for (const token of [tokens[0]!, tokens[150]!, tokens.at(-1)!]) {
        const described = await service.postForm(
          '/introspect',
          { token },
          { basic: [client.client_id, client.client_secret!] },
        );
        expect(described.body).toMatchObject({ active: true, client_id: client.client_id });
      }
      const [stored] = await service.db.query<{ n: number }>(
        `SELECT count(*) AS n FROM persisted_grant WHERE client_id = $1 AND type = 'access_token'`,
        [client.client_id],
      );
      expect(Number(stored!.n)).toBe(300);
    },
  );

  it.skipIf(process.env.TEST_DATABASE !== 'postgres')(
    'when the service runs on PostgreSQL then no checkpoint thread runs',
    () => {
      expect(service.app.get(SqliteCheckpoints).running).toBe(false);
    },
  );
});
