import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../support/free-port.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { SERVICE_VARIABLES } from '../../support/service-variables.js';

/**
 * The compiled service as `npm start` runs it: `node dist/src/main.js` in a
 * working directory of its own. `npm test` builds dist first (pretest).
 */
const REPOSITORY = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = join(REPOSITORY, 'dist/src/main.js');

/** Every bounded wait of this file: start-up, shutdown, exit. */
const WAIT_MS = 20_000;

const onPostgres = process.env.TEST_DATABASE === 'postgres';

interface Service {
  readonly child: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<Service>();
const directories: string[] = [];

function workingDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'identity-startup-'));
  directories.push(directory);
  return directory;
}

/** Spawns the service on a free port; an `undefined` in env leaves that variable unset. */
async function spawnService(
  cwd: string,
  env: Record<string, string | undefined> = {},
  port?: number,
): Promise<Service> {
  const listenPort = port ?? (await freePort());
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of SERVICE_VARIABLES) delete childEnv[name];
  Object.assign(childEnv, { PORT: String(listenPort) }, env);
  for (const [name, value] of Object.entries(childEnv)) {
    if (value === undefined) delete childEnv[name];
  }
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolveExit) => {
      child.once('exit', (code, signal) => resolveExit({ code, signal }));
      child.once('error', () => resolveExit({ code: null, signal: null }));
    },
  );
  const service: Service = {
    child,
    port: listenPort,
    baseUrl: `http://127.0.0.1:${listenPort}`,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
  };
  running.add(service);
  void exited.then(() => running.delete(service));
  return service;
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeOutput(service: Service): string {
  return `\n--- stdout ---\n${service.stdout()}\n--- stderr ---\n${service.stderr()}`;
}

/** Polls discovery until the service answers; fails early when the process dies. */
async function ready(service: Service): Promise<Record<string, any>> {
  const deadline = Date.now() + WAIT_MS;
  let ended = false;
  void service.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    if (ended) throw new Error(`the service exited during start-up${describeOutput(service)}`);
    try {
      const response = await fetch(`${service.baseUrl}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.status === 200) return (await response.json()) as Record<string, any>;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error(`the service did not answer within ${WAIT_MS} ms${describeOutput(service)}`);
}

/** Starts the service and waits until discovery answers. */
async function startService(
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ service: Service; discovery: Record<string, any> }> {
  const service = await spawnService(cwd, env);
  return { service, discovery: await ready(service) };
}

/** SIGTERM, as a process manager stops it, and wait for the process to end. */
async function stop(service: Service): Promise<{ code: number | null; signal: string | null }> {
  service.child.kill('SIGTERM');
  return within(service.exited, 'shutdown after SIGTERM');
}

/** The kids of the served JWKS, sorted. */
async function kids(service: Service): Promise<string[]> {
  const response = await fetch(`${service.baseUrl}/jwks`);
  expect(response.status).toBe(200);
  const jwks = (await response.json()) as { keys: { kid: string }[] };
  expect(jwks.keys.length).toBeGreaterThan(0);
  return jwks.keys.map((key) => key.kid).sort();
}

function secret(): string {
  return randomBytes(32).toString('base64url');
}

afterEach(async () => {
  for (const service of running) {
    service.child.kill('SIGKILL');
    await within(service.exited, 'exit after SIGKILL').catch(() => undefined);
  }
  running.clear();
});

afterAll(() => {
  for (const directory of directories.splice(0)) {
    rmSync(directory, { recursive: true, force: true });
  }
});

beforeAll(() => {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: run "nest build" first (npm test does, in pretest)`);
  }
});

describe.skipIf(onPostgres)('start-up with no configuration (embedded SQLite)', () => {
  it('when started in an empty directory then it creates ./data/identity.sqlite and serves discovery with issuer http://localhost:PORT', async () => {
    const cwd = workingDirectory();
    const { service, discovery } = await startService(cwd);

    expect(discovery.issuer).toBe(`http://localhost:${service.port}`);
    expect(discovery.jwks_uri).toBe(`http://localhost:${service.port}/jwks`);
    expect(statSync(join(cwd, 'data/identity.sqlite')).isFile()).toBe(true);
    expect(statSync(join(cwd, 'data/identity.sqlite')).size).toBeGreaterThan(0);
  });

  it('when KEY_ENCRYPTION_SECRET is unset then a generated secret is stored with mode 0600 beside the database and a warning names the variable', async () => {
    const cwd = workingDirectory();
    const { service } = await startService(cwd);

    const file = join(cwd, 'data/key-encryption.secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    const output = `${service.stdout()}${service.stderr()}`.split('\n');
    expect(output).toContainEqual(expect.stringMatching(/WARN.*KEY_ENCRYPTION_SECRET is not set/));
    expect(service.stderr()).toBe('');
  });

  it('when stopped with SIGTERM and started again in the same directory then the JWKS has the same kids and the secret is kept', async () => {
    const cwd = workingDirectory();
    const first = await startService(cwd);
    const kidsBefore = await kids(first.service);
    const secretBefore = readFileSync(join(cwd, 'data/key-encryption.secret'), 'utf8');
    expect(first.service.stdout()).toMatch(/created \d+ signing keys/);

    const exit = await stop(first.service);
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);

    const second = await startService(cwd);
    expect(await kids(second.service)).toEqual(kidsBefore);
    expect(second.discovery.issuer).toBe(`http://localhost:${second.service.port}`);
    expect(readFileSync(join(cwd, 'data/key-encryption.secret'), 'utf8')).toBe(secretBefore);
    expect(second.service.stdout()).not.toMatch(/created \d+ signing keys/);
    expect(second.service.stderr()).toBe('');
  }, 60_000);

  it('when a .env file is in the working directory then it is read and the environment wins over it', async () => {
    const cwd = workingDirectory();
    const port = await freePort();
    writeFileSync(
      join(cwd, '.env'),
      `PORT=${port}\nISSUER=https://from-dotenv.example.com\nACCESS_TOKEN_SIGNING_ALG=HS256\n`,
    );
    const service = await spawnService(
      cwd,
      { PORT: undefined, ACCESS_TOKEN_SIGNING_ALG: 'RS256' },
      port,
    );
    const discovery = await ready(service);
    expect(discovery.issuer).toBe('https://from-dotenv.example.com');
  });
});

describe.skipIf(onPostgres)('start-up with a bad configuration', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ISSUER: 'http://x/' }, 'ISSUER'],
    [{ ISSUER: 'ftp://id.example.com' }, 'ISSUER'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ ADMIN_CLIENT_ID: 'admin' }, 'ADMIN_CLIENT_SECRET'],
    [{ ADMIN_CLIENT_ID: 'admin', ADMIN_CLIENT_SECRET: 'short' }, 'ADMIN_CLIENT_SECRET'],
    [{ ACCESS_TOKEN_SIGNING_ALG: 'HS256' }, 'ACCESS_TOKEN_SIGNING_ALG'],
    [{ KEY_ENCRYPTION_SECRET: 'too-short' }, 'KEY_ENCRYPTION_SECRET'],
  ])(
    'when %j is set then it exits with 1, one line on stderr naming %s, nothing on stdout and no data left behind',
    async (env, variable) => {
      const cwd = workingDirectory();
      const service = await spawnService(cwd, env);
      const exit = await within(service.exited, 'exit on bad configuration');

      expect(exit).toEqual({ code: 1, signal: null });
      expect(service.stderr()).toMatch(
        new RegExp(`^Invalid configuration: ${variable} [^\\n]+\\n$`),
      );
      expect(service.stdout()).toBe('');
      expect(readdirSync(cwd)).toEqual([]);
    },
  );

  it('when a value holds a newline then the error is still one line', async () => {
    const cwd = workingDirectory();
    const service = await spawnService(cwd, { ACCESS_TOKEN_SIGNING_ALG: 'HS256\nES256' });
    const exit = await within(service.exited, 'exit on bad configuration');

    expect(exit.code).toBe(1);
    expect(service.stderr()).toBe(
      'Invalid configuration: ACCESS_TOKEN_SIGNING_ALG must be one of ES256, RS256, PS256, EdDSA (got "HS256\\nES256")\n',
    );
  });
});

describe.skipIf(onPostgres)(
  'start-up with another KEY_ENCRYPTION_SECRET than the keys were made with',
  () => {
    it('when the configured secret changed then it exits with 1 and one line naming KEY_ENCRYPTION_SECRET, and the original secret still works', async () => {
      const cwd = workingDirectory();
      const original = secret();
      const first = await startService(cwd, { KEY_ENCRYPTION_SECRET: original });
      const kidsBefore = await kids(first.service);
      await stop(first.service);

      const changed = await spawnService(cwd, { KEY_ENCRYPTION_SECRET: secret() });
      const exit = await within(changed.exited, 'exit on a changed KEY_ENCRYPTION_SECRET');
      expect(exit).toEqual({ code: 1, signal: null });
      expect(changed.stderr()).toBe(
        'Invalid configuration: KEY_ENCRYPTION_SECRET cannot decrypt the stored signing keys: it differs from the secret they were encrypted with\n',
      );
      expect(changed.stdout()).not.toContain('successfully started');

      const again = await startService(cwd, { KEY_ENCRYPTION_SECRET: original });
      expect(await kids(again.service)).toEqual(kidsBefore);
    }, 60_000);

    it('when keys were made with the generated secret and KEY_ENCRYPTION_SECRET is set later then it exits with 1 naming KEY_ENCRYPTION_SECRET', async () => {
      const cwd = workingDirectory();
      const first = await startService(cwd);
      await stop(first.service);

      const changed = await spawnService(cwd, { KEY_ENCRYPTION_SECRET: secret() });
      const exit = await within(changed.exited, 'exit on a changed KEY_ENCRYPTION_SECRET');
      expect(exit).toEqual({ code: 1, signal: null });
      expect(changed.stderr()).toMatch(/^Invalid configuration: KEY_ENCRYPTION_SECRET [^\n]+\n$/);
    }, 60_000);
  },
);

describe.runIf(onPostgres)('start-up on PostgreSQL', () => {
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('when started twice on the same database then the schema and keys are created once and the kids stay', async () => {
    const cwd = workingDirectory();
    const env = { DATABASE_URL: database!.url, KEY_ENCRYPTION_SECRET: secret() };
    const first = await startService(cwd, env);
    const kidsBefore = await kids(first.service);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
    await stop(first.service);

    const second = await startService(cwd, env);
    expect(await kids(second.service)).toEqual(kidsBefore);
    expect(second.service.stdout()).not.toMatch(/created \d+ signing keys/);
    const stored = await database!.query<{ count: string | number }>(
      'SELECT COUNT(*) AS count FROM signing_key',
    );
    expect(Number(stored[0]!.count)).toBe(kidsBefore.length);
  }, 60_000);
});
