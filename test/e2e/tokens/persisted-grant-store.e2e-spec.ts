import pg from 'pg';
import { DataSource } from 'typeorm';
import { driverHandle } from '../../../src/database/driver-handles.js';
import { queryOnPool } from '../../../src/database/pooled-query.js';
import { isUniqueViolation } from '../../../src/database/unique-violation.js';
import {
  type NewPersistedGrant,
  PersistedGrantStore,
} from '../../../src/tokens/persisted-grant.store.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';

/** The store's inserts (and, on PostgreSQL, lookups) of one event-loop turn go out together. */
describe('persisted-grant store: the writes and reads of one turn together', () => {
  let service: TestApp;
  let store: PersistedGrantStore;

  beforeAll(async () => {
    service = await startTestApp();
    store = service.app.get(PersistedGrantStore);
  });
  afterAll(() => service.close());

  const grant = (clientId: string, handle: string): NewPersistedGrant => ({
    type: 'access_token',
    handle,
    clientId,
    subject: null,
    familyId: handle,
    expiresAt: Date.now() + 60_000,
    payload: { handle },
  });

  const rowsOf = async (clientId: string) =>
    Number(
      (
        await service.db.query<{ n: number | string }>(
          `SELECT count(*) AS n FROM persisted_grant WHERE client_id = '${clientId}'`,
        )
      )[0]!.n,
    );

  it('when more inserts arrive in one turn than one statement takes then every row is written and found', async () => {
    const handles = Array.from({ length: 1_203 }, (_, index) => `many-${index}`);
    await Promise.all(handles.map((handle) => store.add(grant('group-many', handle))));

    expect(await rowsOf('group-many')).toBe(handles.length);
    for (const handle of [handles[0]!, handles[500]!, handles.at(-1)!]) {
      expect((await store.findByHandle(handle, 'access_token'))?.payload).toEqual({ handle });
    }
  });

  it('when the inserts of one turn carry awkward text then every field reads back as written', async () => {
    // PostgreSQL sends a turn's rows as one array per column: quoting must survive it.
    const awkward = [
      'quote " and backslash \\ and \\"',
      '{braces, commas} and NULL',
      'NULL',
      'ünïcödé ✓ 𝄞',
      "apostrophe ' and newline\nand tab\t",
      '',
    ];
    const grants = awkward.map((text, index) => ({
      ...grant('group-awkward', `awkward-${index}`),
      subject: text === '' ? null : text,
      payload: { text, nested: { list: [text, null, 1] } },
    }));
    await Promise.all(grants.map((item) => store.add(item)));

    for (const item of grants) {
      const row = await store.findByHandle(item.handle, 'access_token');
      expect(row?.payload).toEqual(item.payload);
      expect(row?.subject).toBe(item.subject);
      expect(row?.clientId).toBe('group-awkward');
    }
  });

  it('when one insert of a turn repeats a handle then only it fails, as a unique violation, and the others are written', async () => {
    const results = await Promise.allSettled([
      store.add(grant('group-clash', 'clash-a')),
      store.add(grant('group-clash', 'clash-same')),
      store.add(grant('group-clash', 'clash-b')),
      store.add(grant('group-clash', 'clash-same')),
      store.add(grant('group-clash', 'clash-c')),
    ]);

    const rejected = results.filter((result) => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(isUniqueViolation(rejected[0]!.reason)).toBe(true);
    expect(await rowsOf('group-clash')).toBe(4);
    for (const handle of ['clash-a', 'clash-b', 'clash-c', 'clash-same']) {
      expect(await store.findByHandle(handle, 'access_token')).not.toBeNull();
    }
  });

  it('when a handle already stored comes again then that insert fails and nothing else changes', async () => {
    await store.add(grant('group-again', 'again-1'));
    const results = await Promise.allSettled([
      store.add(grant('group-again', 'again-1')),
      store.add(grant('group-again', 'again-2')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
    expect(await rowsOf('group-again')).toBe(2);
  });

  it('when many lookups arrive in one turn, some for the same handle and some for none, then each gets its own answer', async () => {
    const handles = Array.from({ length: 40 }, (_, index) => `look-${index}`);
    await Promise.all(handles.map((handle) => store.add(grant('group-look', handle))));
    const asked = [...handles, 'look-3', 'look-3', 'never-issued', handles[39]!];

    const found = await Promise.all(
      asked.map((handle) => store.findByHandle(handle, 'access_token')),
    );

    expect(found.map((row) => (row === null ? null : row.payload.handle))).toEqual(
      asked.map((handle) => (handle === 'never-issued' ? null : handle)),
    );
    // Two callers of the same handle do not share one object.
    expect(found[40]).not.toBe(found[41]);
    found[40]!.payload.handle = 'changed by one caller';
    expect(found[41]!.payload.handle).toBe('look-3');
  });

  it('when many deletes by id arrive in one turn, some for the same row and some for none, then those rows go and no other', async () => {
    const handles = Array.from({ length: 30 }, (_, index) => `gone-${index}`);
    const rows = await Promise.all(handles.map((handle) => store.add(grant('group-gone', handle))));
    const doomed = rows.slice(0, 20).map((row) => row.id);

    await Promise.all(
      [...doomed, doomed[0]!, doomed[7]!, 'no-such-row'].map((id) => store.delete(id)),
    );

    expect(await rowsOf('group-gone')).toBe(10);
    const left = await Promise.all(
      handles.map((handle) => store.findByHandle(handle, 'access_token')),
    );
    expect(left.map((row) => row?.payload.handle ?? null)).toEqual(
      handles.map((handle, index) => (index < 20 ? null : handle)),
    );
  });

  it('when one insert of a turn is refused for another reason then only it fails and the others are written', async () => {
    // PostgreSQL enforces varchar(255) on client_id; SQLite does not, and writes all four.
    const tooLong = { ...grant('group-bad', 'bad-long'), clientId: 'x'.repeat(300) };
    const results = await Promise.allSettled([
      store.add(grant('group-bad', 'bad-1')),
      store.add(tooLong),
      store.add(grant('group-bad', 'bad-2')),
      store.add(grant('group-bad', 'bad-3')),
    ]);

    const refusedOnPostgres = service.db.kind === 'postgres';
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      refusedOnPostgres ? 'rejected' : 'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(await rowsOf('group-bad')).toBe(3);
  });

  it('when many consumes arrive in one turn then each row is consumed once, by the first to ask, and only if it is live', async () => {
    const now = Date.now();
    const rows = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        store.add(grant('group-consume', `consume-${index}`)),
      ),
    );
    const expired = await store.add({
      ...grant('group-consume', 'consume-old'),
      expiresAt: now - 1,
    });
    const used = rows[29]!;
    expect(await store.consume(used.id, now)).toBe(true);

    const asked = [
      ...rows.slice(0, 29).map((row) => ({ id: row.id })),
      // The same row twice in the turn: the first wins.
      { id: rows[5]!.id },
      { id: expired.id },
      { id: used.id },
      { id: 'no-such-row' },
      // With a payload that replaces the stored one.
      { id: rows[0]!.id, payload: { replaced: true } },
    ];
    const results = await Promise.all(
      asked.map(({ id, payload }: { id: string; payload?: Record<string, unknown> }) =>
        store.consume(id, now, payload && { payload }),
      ),
    );

    expect(results).toEqual([
      ...Array.from({ length: 29 }, () => true),
      false,
      false,
      false,
      false,
      false,
    ]);
    const stored = await service.db.query<{ consumed_at: unknown; payload: string }>(
      `SELECT consumed_at, payload FROM persisted_grant WHERE client_id = 'group-consume' AND id <> '${expired.id}'`,
    );
    expect(stored).toHaveLength(30);
    for (const row of stored) expect(Number(row.consumed_at)).toBe(now);
    // The payload of the first consume of rows[0] (none) stays: the later one with a payload lost.
    expect((await store.findByHandle('consume-0', 'access_token'))?.payload).toEqual({
      handle: 'consume-0',
    });
    const [old] = await service.db.query<{ consumed_at: unknown }>(
      `SELECT consumed_at FROM persisted_grant WHERE id = '${expired.id}'`,
    );
    expect(old!.consumed_at).toBeNull();
  });

  it('when a consume in a turn carries a payload and an expiry then the row is consumed with them, and the others keep theirs', async () => {
    const row = await store.add(grant('group-payload', 'payload-1'));
    const other = await store.add(grant('group-payload', 'payload-2'));
    const now = Date.now();
    const keptUntil = now + 3_600_000;
    expect(
      await Promise.all([
        store.consume(row.id, now, {
          payload: { handle: 'payload-1', accessTokenJti: 'jti-1' },
          expiresAt: keptUntil,
        }),
        store.consume(other.id, now),
      ]),
    ).toEqual([true, true]);
    const consumed = await store.findByHandle('payload-1', 'access_token');
    expect(consumed?.payload).toEqual({ handle: 'payload-1', accessTokenJti: 'jti-1' });
    expect(consumed?.expiresAt).toBe(keptUntil);
    const untouched = await store.findByHandle('payload-2', 'access_token');
    expect(untouched?.payload).toEqual({ handle: 'payload-2' });
    expect(untouched?.expiresAt).toBe(other.expiresAt);
  });

  it('when consumes of one turn carry different times then each row records its own', async () => {
    const rows = await Promise.all(
      [1, 2, 3].map((index) => store.add(grant('group-times', `times-${index}`))),
    );
    const base = Date.now();
    expect(
      await Promise.all(rows.map((row, index) => store.consume(row.id, base + index * 1000))),
    ).toEqual([true, true, true]);
    for (const [index, row] of rows.entries()) {
      const [stored] = await service.db.query<{ consumed_at: unknown }>(
        `SELECT consumed_at FROM persisted_grant WHERE id = '${row.id}'`,
      );
      expect(Number(stored!.consumed_at)).toBe(base + index * 1000);
    }
  });

  it('when one row alone is consumed several times in one turn then exactly the first wins', async () => {
    const row = await store.add(grant('group-alone', 'alone-1'));
    const now = Date.now();
    expect(await Promise.all([1, 2, 3, 4].map(() => store.consume(row.id, now)))).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('when the first consume of a row in a turn fails then a repeat still consumes it, and only one', async () => {
    const row = await store.add(grant('group-retry', 'retry-1'));
    const now = Date.now();
    // A time that is no number: PostgreSQL refuses the statement; SQLite stores NULL and changes nothing.
    const [first, second, third] = await Promise.allSettled([
      store.consume(row.id, Number.NaN),
      store.consume(row.id, now),
      store.consume(row.id, now),
    ]);
    expect(first.status === 'rejected' || first.value === false).toBe(true);
    expect([second, third]).toEqual([
      { status: 'fulfilled', value: true },
      { status: 'fulfilled', value: false },
    ]);
    const [stored] = await service.db.query<{ consumed_at: unknown }>(
      `SELECT consumed_at FROM persisted_grant WHERE id = '${row.id}'`,
    );
    expect(Number(stored!.consumed_at)).toBe(now);
  });

  it.skipIf(process.env.TEST_DATABASE !== 'postgres')(
    'when inserts clash with a stored handle on PostgreSQL then each fails with its own unique violation and the pool keeps its connections',
    async () => {
      const handle = driverHandle(service.app.get(DataSource));
      if (handle.kind !== 'postgres') throw new Error('expected the PostgreSQL pool');
      // Connections handed back with an error, which pg-pool closes.
      let releasedWithError = 0;
      const countRelease = (error: unknown) => {
        if (error) releasedWithError++;
      };
      handle.pool.on('release', countRelease);
      try {
        await store.add(grant('group-clash-pool', 'clash-pool'));
        // 20 in one turn (one batched INSERT, the clashes then alone), then 5 one at a time.
        const together = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.add(grant('group-clash-pool', 'clash-pool'))),
        );
        const oneByOne: unknown[] = [];
        for (let attempt = 0; attempt < 5; attempt++) {
          oneByOne.push(await store.add(grant('group-clash-pool', 'clash-pool')).catch((e) => e));
        }

        for (const outcome of together) {
          expect(outcome.status).toBe('rejected');
          expect(isUniqueViolation((outcome as PromiseRejectedResult).reason)).toBe(true);
        }
        for (const error of oneByOne) expect(isUniqueViolation(error)).toBe(true);
        // pool.query handed back (and pg-pool closed) the connection of every failed statement.
        expect(releasedWithError).toBe(0);
        expect(await rowsOf('group-clash-pool')).toBe(1);
        expect((await store.findByHandle('clash-pool', 'access_token'))?.payload).toEqual({
          handle: 'clash-pool',
        });
      } finally {
        handle.pool.off('release', countRelease);
      }
    },
  );

  it.skipIf(process.env.TEST_DATABASE !== 'postgres')(
    'when a migration changes the table under prepared statements on PostgreSQL then each connection fails once and is replaced, and lookups work again',
    async () => {
      const handle = driverHandle(service.app.get(DataSource));
      if (handle.kind !== 'postgres') throw new Error('expected the PostgreSQL pool');
      await store.add(grant('group-migrated', 'migrated'));
      // Every pooled connection prepares the lookup with the table as it is.
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          await new Promise((wait) => setTimeout(wait, 0));
          return store.findByHandle('migrated', 'access_token');
        }),
      );
      const connections = handle.pool.totalCount;
      await service.db.query('ALTER TABLE persisted_grant ADD COLUMN migrated_extra integer');
      try {
        const failures: unknown[] = [];
        let found: unknown;
        for (let attempt = 0; attempt <= connections && found === undefined; attempt++) {
          try {
            found = (await store.findByHandle('migrated', 'access_token'))?.payload;
          } catch (error) {
            failures.push(error);
          }
        }
        expect(found).toEqual({ handle: 'migrated' });
        expect(failures.length).toBeLessThanOrEqual(connections);
        for (const error of failures) expect((error as { code?: string }).code).toBe('0A000');
        for (let again = 0; again < 3; again++) {
          expect((await store.findByHandle('migrated', 'access_token'))?.payload).toEqual({
            handle: 'migrated',
          });
        }
      } finally {
        await service.db.query('ALTER TABLE persisted_grant DROP COLUMN migrated_extra');
      }
    },
  );

  it.skipIf(process.env.TEST_DATABASE !== 'postgres')(
    'when the server ends a connection in the middle of a statement on PostgreSQL then only that statement fails and the pool goes on with a new connection',
    async () => {
      const handle = driverHandle(service.app.get(DataSource));
      if (handle.kind !== 'postgres') throw new Error('expected the PostgreSQL pool');
      const marker = `terminated-${Date.now()}`;
      // Its outcome is taken at once: the rejection may come while the loop below still awaits.
      const sleeping = queryOnPool(handle.pool, {
        text: `SELECT pg_sleep(20) /* ${marker} */`,
      }).then(
        () => 'answered',
        (error: unknown) => error,
      );
      let terminated = false;
      for (let attempt = 0; attempt < 300 && !terminated; attempt++) {
        const [row] = await service.db.query<{ ended: boolean }>(
          `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
             WHERE query LIKE $1 AND pid <> pg_backend_pid()`,
          [`%${marker}%`],
        );
        terminated = row?.ended === true;
        if (!terminated) await new Promise((wait) => setTimeout(wait, 10));
      }
      expect(terminated).toBe(true);

      // Rejected, not thrown out of the process as the client's 'error' event.
      expect(await sleeping).toBeInstanceOf(Error);
      await store.add(grant('group-terminated', 'after-termination'));
      expect((await store.findByHandle('after-termination', 'access_token'))?.payload).toEqual({
        handle: 'after-termination',
      });
    },
  );

  it.skipIf(process.env.TEST_DATABASE !== 'postgres')(
    'when PostgreSQL ends a family revocation as a deadlock victim then it runs again and every row of the family goes',
    async () => {
      const family = (handle: string) => ({
        ...grant('group-deadlock', handle),
        familyId: 'fam-dl',
      });
      const first = await store.add(family('deadlock-1'));
      const second = await store.add(family('deadlock-2'));
      const waitingOnLock = async (match: string) => {
        for (let attempt = 0; attempt < 300; attempt++) {
          const [waiting] = await service.db.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
            [match],
          );
          if (waiting !== undefined) return;
          await new Promise((wait) => setTimeout(wait, 10));
        }
        throw new Error(`no statement like ${match} waited on a lock`);
      };
      // Another session holds the second row; its own deadlock check comes late,
      // so the service's statement is the one PostgreSQL ends.
      const other = new pg.Client({ connectionString: service.db.url });
      await other.connect();
      try {
        await other.query(`BEGIN; SET LOCAL deadlock_timeout = '60s'`);
        await other.query(`SELECT id FROM persisted_grant WHERE id = $1 FOR UPDATE`, [second.id]);
        // The revocation locks the first row, then waits for the second. Its outcome is
        // taken at once: a rejection could come while the steps below still wait.
        const revoked = store.revokeFamily('fam-dl').then(
          () => undefined,
          (error: unknown) => error,
        );
        await waitingOnLock('DELETE%');
        // Now the other session wants the first row: a cycle.
        const lockedFirst = other.query(
          `SELECT id FROM persisted_grant WHERE id = $1 FOR UPDATE /* deadlock-test */`,
          [first.id],
        );
        await waitingOnLock('%deadlock-test%');
        await lockedFirst;
        await other.query('COMMIT');

        expect(await revoked).toBeUndefined();
      } finally {
        await other.end();
      }
      expect(await rowsOf('group-deadlock')).toBe(0);
    },
  );
});
