import { startTestApp, type TestApp } from '../../support/test-app.js';

const UP_WITH_TIME = { status: 'up', responseTime: expect.any(Number) };

describe('health endpoints', () => {
  let service: TestApp;

  beforeAll(async () => {
    // The pending-migration case logs errors on purpose; the test stays quiet.
    service = await startTestApp({ env: { LOG_LEVEL: 'fatal' } });
  });
  afterAll(() => service.close());

  it('when /health/live is asked then it is 200 with an ok status and no checks', async () => {
    const result = await service.request('GET', '/health/live');
    expect({ status: result.status, body: result.body }).toEqual({
      status: 200,
      body: { status: 'ok', info: {}, error: {}, details: {} },
    });
    expect(result.headers.get('cache-control')).toBe('no-store');
  });

  it('when the database answers, every migration is applied and the shared store answers then /health/ready is 200 with every check up', async () => {
    const result = await service.request('GET', '/health/ready');
    const checks = {
      database: UP_WITH_TIME,
      migrations: { status: 'up' },
      shared_state: { status: 'up' },
    };
    expect({ status: result.status, body: result.body }).toEqual({
      status: 200,
      body: { status: 'ok', info: checks, error: {}, details: checks },
    });
    expect(result.headers.get('cache-control')).toBe('no-store');
  });

  it('when a migration is pending then /health/ready is 503 naming it, and 200 again once it is applied', async () => {
    const [latest] = await service.db.query<{ timestamp: unknown; name: string }>(
      'SELECT timestamp, name FROM schema_migration ORDER BY timestamp DESC LIMIT 1',
    );
    await service.db.query('DELETE FROM schema_migration WHERE name = $1', [latest!.name]);
    try {
      const result = await service.request('GET', '/health/ready');
      const pending = { status: 'down', message: 'migrations are pending' };
      expect({ status: result.status, body: result.body }).toEqual({
        status: 503,
        body: {
          status: 'error',
          info: { database: UP_WITH_TIME, shared_state: { status: 'up' } },
          error: { migrations: pending },
          details: { database: UP_WITH_TIME, migrations: pending, shared_state: { status: 'up' } },
        },
      });
      expect((await service.request('GET', '/health/live')).status).toBe(200);
    } finally {
      await service.db.query('INSERT INTO schema_migration (timestamp, name) VALUES ($1, $2)', [
        latest!.timestamp,
        latest!.name,
      ]);
    }
    expect((await service.request('GET', '/health/ready')).status).toBe(200);
  });
});
