import { GrantSweeper, SWEEP_BATCH } from '../../../src/tokens/grant-sweeper.js';
import { PersistedGrantStore } from '../../../src/tokens/persisted-grant.store.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';

describe('the persisted-grant sweeper', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startTestApp();
  });
  afterAll(() => service.close());

  const count = async (where: string) =>
    Number(
      (
        await service.db.query<{ n: number | string }>(
          `SELECT count(*) AS n FROM persisted_grant WHERE ${where}`,
        )
      )[0]!.n,
    );

  it('when more expired rows than one batch exist then one run removes them all and keeps every unexpired row', async () => {
    const store = service.app.get(PersistedGrantStore);
    const now = Date.now();
    const expired = SWEEP_BATCH * 2 + 7;
    await Promise.all(
      Array.from({ length: expired }, (_, index) =>
        store.add({
          type: 'access_token',
          handle: `expired-${index}`,
          clientId: 'sweeper-test',
          subject: null,
          familyId: `expired-${index}`,
          expiresAt: now - 1_000 - index,
          payload: {},
        }),
      ),
    );
    await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        store.add({
          type: 'refresh_token',
          handle: `live-${index}`,
          clientId: 'sweeper-test',
          subject: 'someone',
          familyId: `live-${index}`,
          expiresAt: now + 3_600_000,
          payload: {},
        }),
      ),
    );
    expect(await count(`client_id = 'sweeper-test'`)).toBe(expired + 5);

    const removed = await service.app.get(GrantSweeper).sweep(now);

    expect(removed).toBe(expired);
    expect(await count(`client_id = 'sweeper-test' AND type = 'access_token'`)).toBe(0);
    expect(await count(`client_id = 'sweeper-test' AND type = 'refresh_token'`)).toBe(5);
  });

  it('when nothing has expired then a run removes nothing', async () => {
    expect(await service.app.get(GrantSweeper).sweep(Date.now() - 3_600_000)).toBe(0);
    expect(await count(`client_id = 'sweeper-test'`)).toBe(5);
  });
});
