import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuthorization } from '../../support/test-app.js';
import { canRunPrivatePostgres, PrivatePostgres } from './private-postgres.js';
import { logLine, type ServiceProcess, startServiceProcess } from './service-process.js';

const ADMIN_ID = 'ops-admin';
const ADMIN_SECRET = randomBytes(32).toString('base64url');
/** Generous: a request must fail within a few seconds, not hang until a client gives up. */
const FAIL_FAST_BOUND_MS = 5_000;
const RECOVERY_BOUND_MS = 30_000;

const UNAVAILABLE = {
  error: 'temporarily_unavailable',
  error_description: 'the service is temporarily unavailable, try again later',
};

/**
 * PostgreSQL stopped while the service serves. The cluster is the test's own
 * (so the machine's shared server is untouched); it runs once, in the SQLite
 * project, as it needs no TEST_DATABASE_URL.
 */
describe.skipIf(!canRunPrivatePostgres || process.env.TEST_DATABASE === 'postgres')(
  'database outage (a private PostgreSQL cluster stopped and started again)',
  () => {
    let postgres: PrivatePostgres;
    let directory: string;
    let service: ServiceProcess;
    let adminToken: string;
    let client: { client_id: string; client_secret: string };

    beforeAll(async () => {
      postgres = await PrivatePostgres.create();
      directory = mkdtempSync(join(tmpdir(), 'identity-outage-'));
      service = await startServiceProcess(directory, {
        DATABASE_URL: postgres.url,
        KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64url'),
        ADMIN_CLIENT_ID: ADMIN_ID,
        ADMIN_CLIENT_SECRET: ADMIN_SECRET,
      });
      const admin = await token(basicAuthorization(ADMIN_ID, ADMIN_SECRET), 'admin');
      expect(admin.status).toBe(200);
      adminToken = (admin.body as { access_token: string }).access_token;
      const created = await fetch(`${service.baseUrl}/admin/clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        // Reference tokens: every issue writes a row, so it needs the database.
        body: JSON.stringify({
          grant_types: ['client_credentials'],
          scope: 'read',
          access_token_format: 'reference',
        }),
      });
      client = (await created.json()) as typeof client;
    }, 120_000);

    afterAll(async () => {
      if (service !== undefined && !service.hasExited()) {
        service.child.kill('SIGKILL');
        await service.exited;
      }
      postgres?.destroy();
      if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    });

    async function token(
      authorization: string,
      scope = 'read',
    ): Promise<{ status: number; headers: Headers; body: unknown; elapsedMs: number }> {
      const started = Date.now();
      const response = await fetch(`${service.baseUrl}/token`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&scope=${scope}`,
      });
      return {
        status: response.status,
        headers: response.headers,
        body: await response.json(),
        elapsedMs: Date.now() - started,
      };
    }

    const clientToken = () => token(basicAuthorization(client.client_id, client.client_secret));

    async function get(path: string): Promise<{ status: number; body: any }> {
      const response = await fetch(`${service.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      return { status: response.status, body: await response.json() };
    }

    it('when the database stops then requests fail fast with 503 temporarily_unavailable and a log line, readiness goes false, nothing crashes, and service resumes by itself when it returns', async () => {
      expect((await clientToken()).status).toBe(200);
      expect((await get('/health/ready')).status).toBe(200);

      postgres.stop();

      // The token endpoint: RFC 6749 JSON, no-store, within a few seconds.
      const failed = await clientToken();
      expect({ status: failed.status, body: failed.body }).toEqual({
        status: 503,
        body: UNAVAILABLE,
      });
      expect(failed.headers.get('cache-control')).toBe('no-store');
      expect(failed.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(failed.elapsedMs).toBeLessThan(FAIL_FAST_BOUND_MS);
      const requestId = failed.headers.get('x-request-id');
      const warning = await logLine(service, (line) =>
        String(line.msg).startsWith(`database unavailable, request id ${requestId}: `),
      );
      expect(warning).toMatchObject({ level: 'WARN', context: 'Errors' });

      // The admin API: a problem document with 503.
      const adminList = await get('/admin/clients');
      expect(adminList).toEqual({
        status: 503,
        body: {
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: UNAVAILABLE.error_description,
        },
      });

      // Readiness goes false; liveness stays true.
      const ready = await get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'error',
        error: { database: { status: 'down' }, migrations: { status: 'down' } },
      });
      expect((await get('/health/live')).status).toBe(200);

      // A few more while it is down: still answered, still alive.
      for (let i = 0; i < 5; i++) expect((await clientToken()).status).toBe(503);
      expect(service.hasExited()).toBe(false);

      postgres.start();

      // It comes back by itself: readiness first, then tokens.
      const deadline = Date.now() + RECOVERY_BOUND_MS;
      let readyAgain = false;
      while (!readyAgain && Date.now() < deadline) {
        readyAgain = (await get('/health/ready')).status === 200;
        if (!readyAgain) await new Promise((wait) => setTimeout(wait, 200));
      }
      expect(readyAgain).toBe(true);
      const issued = await clientToken();
      expect(issued.status).toBe(200);
      expect(issued.body).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });
      expect((await get('/admin/clients')).status).toBe(200);
      expect(service.hasExited()).toBe(false);
      expect(service.stderr()).toBe('');
    }, 120_000);
  },
);
