import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Agent } from 'node:http';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { basicAuthorization } from '../../support/test-app.js';
import {
  acceptedConnections,
  logLine,
  MAIN,
  type Outcome,
  post,
  postOnNewConnection,
  type ServiceProcess,
  startServiceProcess,
} from './service-process.js';

const ADMIN_ID = 'ops-admin';
const ADMIN_SECRET = randomBytes(32).toString('base64url');
const PASSWORD = 'correct horse battery staple';
const SHUTDOWN_TIMEOUT_MS = 8_000;
/** Password grants (an argon2id verify each, on the thread pool): slow enough to be in flight at SIGTERM. */
const BURST = 80;
const ANSWERS_BEFORE_SIGNAL = 6;

describe('graceful shutdown on SIGTERM (node dist/src/main.js)', () => {
  let directory: string;
  let database: TestDatabase;
  let service: ServiceProcess | undefined;
  let connections: Agent | undefined;

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "nest build" first`);
  });
  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'identity-shutdown-'));
    database = await createTestDatabase();
  });
  afterEach(async () => {
    connections?.destroy();
    connections = undefined;
    if (service !== undefined && !service.hasExited()) service.child.kill('SIGKILL');
    await service?.exited;
    service = undefined;
    await database.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  async function start(
    shutdownTimeoutMs: number,
  ): Promise<{ client: string; authorization: string }> {
    service = await startServiceProcess(directory, {
      DATABASE_URL: database.url,
      KEY_ENCRYPTION_SECRET: randomBytes(32).toString('base64url'),
      ADMIN_CLIENT_ID: ADMIN_ID,
      ADMIN_CLIENT_SECRET: ADMIN_SECRET,
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    });
    const base = service.baseUrl;
    const tokenResponse = await fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        authorization: basicAuthorization(ADMIN_ID, ADMIN_SECRET),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=admin',
    });
    const adminToken = ((await tokenResponse.json()) as { access_token: string }).access_token;
    const admin = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((response) => response.json() as Promise<Record<string, string>>);
    await admin('/admin/users', { username: 'alice', password: PASSWORD });
    const client = await admin('/admin/clients', { grant_types: ['password'], scope: 'read' });
    return {
      client: client.client_id!,
      authorization: basicAuthorization(client.client_id!, client.client_secret!),
    };
  }

  /**
   * Fires the burst, each request on a connection the server has already
   * accepted (a fresh connection may still be in the kernel's accept queue
   * when the server stops listening, and is then reset: not an accepted
   * request). Resolves once a few answers are in (by then the server has read
   * every request: they arrive together, and the hashes take turns on the
   * thread pool), with every request's outcome to come.
   */
  async function burst(authorization: string): Promise<Promise<Outcome>[]> {
    connections = await acceptedConnections(service!.port, BURST);
    const outcomes = Array.from({ length: BURST }, () =>
      post(
        service!.port,
        '/token',
        { grant_type: 'password', username: 'alice', password: PASSWORD },
        authorization,
        connections!,
      ),
    );
    let answered = 0;
    await new Promise<void>((enough) => {
      for (const outcome of outcomes) {
        void outcome.then(() => {
          if (++answered === ANSWERS_BEFORE_SIGNAL) enough();
        });
      }
    });
    return outcomes;
  }

  it('when SIGTERM comes mid-burst on keep-alive connections then every accepted request gets a complete 200 with Connection: close, new connections are refused, and the process exits 0 within the timeout', async () => {
    const { authorization } = await start(SHUTDOWN_TIMEOUT_MS);
    const pending = await burst(authorization);
    const signalledAt = Date.now();
    service!.child.kill('SIGTERM');
    await logLine(service!, (line) => String(line.msg).startsWith('SIGTERM received'));

    // While the burst drains, a new connection is refused.
    let refusal: Outcome | undefined;
    for (let attempt = 0; attempt < 200 && refusal === undefined; attempt++) {
      const late = await postOnNewConnection(service!.port, '/token', { grant_type: 'password' });
      if (late.kind === 'error' && late.code === 'ECONNREFUSED') refusal = late;
      else await new Promise((wait) => setTimeout(wait, 5));
    }
    expect(refusal).toMatchObject({ kind: 'error', code: 'ECONNREFUSED' });
    const stillRunningWhenRefused = !service!.hasExited();

    const outcomes = await Promise.all(pending);
    const exit = await service!.exited;
    const exitedAt = Date.now();

    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAt - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(
      outcomes.map((outcome) => (outcome.kind === 'response' ? outcome.status : outcome.code)),
    ).toEqual(Array(BURST).fill(200));
    for (const outcome of outcomes) {
      if (outcome.kind !== 'response') continue;
      expect(JSON.parse(outcome.body)).toMatchObject({
        access_token: expect.any(String),
        token_type: 'Bearer',
      });
    }
    // Some were still in flight when the service took the signal, and were
    // finished with Connection: close, which ends their keep-alive connection
    // (else the process would wait on it: the exit code above says it did not).
    // Those answered before it took the signal may keep theirs: closed as idle.
    const closing = outcomes.filter(
      (outcome) => outcome.kind === 'response' && outcome.connection === 'close',
    );
    expect(closing.length).toBeGreaterThan(0);
    expect(closing.every((outcome) => outcome.at > signalledAt)).toBe(true);
    expect(stillRunningWhenRefused).toBe(true);
    await logLine(service!, (line) => line.msg === 'stopped');
    expect(service!.logLines().map((line) => [line.context, line.msg])).toEqual(
      expect.arrayContaining([
        [
          'Shutdown',
          `SIGTERM received: finishing in-flight requests (at most ${SHUTDOWN_TIMEOUT_MS} ms)`,
        ],
        ['Shutdown', 'stopped'],
      ]),
    );
    expect(service!.stderr()).toBe('');
  }, 60_000);

  it('when the shutdown takes longer than SHUTDOWN_TIMEOUT_MS then the process exits 1 at the timeout with a log line saying so', async () => {
    const { authorization } = await start(1);
    const pending = await burst(authorization);
    service!.child.kill('SIGTERM');
    const exit = await service!.exited;
    await Promise.all(pending);

    expect(exit).toEqual({ code: 1, signal: null });
    const line = await logLine(
      service!,
      (entry) => entry.context === 'Shutdown' && entry.level === 'ERROR',
    );
    expect(line.msg).toBe('shutdown did not finish within 1 ms: exiting');
  }, 60_000);
});
