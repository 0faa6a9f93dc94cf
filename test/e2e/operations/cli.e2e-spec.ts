import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withoutWrites } from '../../support/expectations.js';
import { KEY_ENCRYPTION_SECRET, startTestApp, type TestApp } from '../../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { partyKey } from '../trust/assertions.js';

/** The compiled CLI as `npm run cli` runs it; `npm test` builds dist first (pretest). */
const CLI = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '../../..'),
  'dist/src/cli/main.js',
);

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as JSON, when it is. */
  readonly json: any;
}

/** Runs the CLI against a database, with the service's own variables only. */
function cli(
  db: TestDatabase,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH,
        NO_COLOR: '1',
        DATABASE_URL: db.url,
        KEY_ENCRYPTION_SECRET,
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolvePromise({ code, stdout, stderr, json });
    });
    child.stdin.end(input ?? '');
  });
}

describe('operations CLI (npm run cli)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'identity-cli-'));
  let source: TestApp;
  let target: TestDatabase;

  beforeAll(async () => {
    source = await startTestApp();
    target = await createTestDatabase();
  });
  afterAll(async () => {
    await source.close();
    await target.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('when migrate runs on an empty database then it applies every migration, and a second run applies none', async () => {
    const first = await cli(target, ['migrate']);
    expect(first.code).toBe(0);
    expect(first.json.applied.length).toBeGreaterThanOrEqual(2);
    expect(first.json.applied[0]).toMatch(/^InitialSchema\d+$/);
    const migrations = await target.query('SELECT name FROM schema_migration');
    expect(migrations).toHaveLength(first.json.applied.length);

    const second = await cli(target, ['migrate']);
    expect(second).toMatchObject({ code: 0, json: { applied: [] } });
  });

  it('when clients:create reads a client from stdin then it prints the secret once and the running service issues tokens with it', async () => {
    const result = await cli(
      source.db,
      ['clients:create', '--file', '-'],
      JSON.stringify({
        client_id: 'cli-made',
        grant_types: ['client_credentials'],
        scope: 'read',
      }),
    );
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({
      client_id: 'cli-made',
      client_secret: expect.any(String),
      grant_types: ['client_credentials'],
      scope: 'read',
    });

    const token = await source.postForm(
      '/token',
      { grant_type: 'client_credentials' },
      { basic: ['cli-made', result.json.client_secret] },
    );
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'read' });
  });

  it('when clients:create is given a forbidden grant combination then it exits 1 naming the field and writes nothing', async () => {
    const result = await withoutWrites(source.db, () =>
      cli(
        source.db,
        ['clients:create', '--file', '-'],
        JSON.stringify({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }),
      ),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toMatchObject({
      status: 400,
      detail: 'invalid client metadata',
      errors: [{ pointer: '/grant_types', detail: expect.stringContaining('client_credentials') }],
    });
  });

  it('when users:create reads a user then the password grant accepts it, and the password is in no output', async () => {
    const password = 'cli-user-password-0123456789';
    const result = await cli(
      source.db,
      ['users:create', '--file', '-'],
      JSON.stringify({ username: 'cli-alice', password, email: 'alice@example.com' }),
    );
    expect(result.code).toBe(0);
    expect(result.json).toEqual({
      id: expect.any(String),
      username: 'cli-alice',
      email: 'alice@example.com',
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });
    expect(result.stdout + result.stderr).not.toContain(password);

    const client = await source.createClient({ grant_types: ['password'], scope: 'openid' });
    const token = await source.postForm(
      '/token',
      { grant_type: 'password', username: 'cli-alice', password },
      { basic: [client.client_id, client.client_secret!] },
    );
    expect(token.status).toBe(200);
  });

  it('when users:create names a taken username or an unknown field then it exits 1 with the problem and writes nothing', async () => {
    const taken = await withoutWrites(source.db, () =>
      cli(
        source.db,
        ['users:create', '--file', '-'],
        JSON.stringify({ username: 'cli-alice', password: 'another-password-123456' }),
      ),
    );
    expect(taken.code).toBe(1);
    expect(JSON.parse(taken.stderr)).toMatchObject({ status: 409, title: 'Conflict' });

    const unknown = await withoutWrites(source.db, () =>
      cli(
        source.db,
        ['users:create', '--file', '-'],
        JSON.stringify({ username: 'cli-bob', password: 'bob-password-123456', shoe_size: 44 }),
      ),
    );
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toMatchObject({
      status: 400,
      errors: [{ pointer: '/shoe_size', detail: 'is not a known field' }],
    });
  });

  it('when keys:rotate --alg ES256 runs then the published next ES256 key becomes current and a new next key appears', async () => {
    const before = await source.db.query<{ kid: string; state: string }>(
      "SELECT kid, state FROM signing_key WHERE alg = 'ES256'",
    );
    const next = before.find((key) => key.state === 'next')!.kid;
    const current = before.find((key) => key.state === 'current')!.kid;

    const result = await cli(source.db, ['keys:rotate', '--alg', 'ES256']);
    expect(result.code).toBe(0);
    const es256 = (result.json.items as { kid: string; alg: string; state: string }[]).filter(
      (key) => key.alg === 'ES256',
    );
    expect(es256.find((key) => key.state === 'current')?.kid).toBe(next);
    expect(es256.find((key) => key.kid === current)?.state).toBe('retired');
    expect(es256.filter((key) => key.state === 'next')).toHaveLength(1);
    expect(JSON.stringify(result.json)).not.toMatch(/"d":/);
  });

  it('when the configuration is exported and imported elsewhere then clients and trusted issuers arrive, new confidential clients get working secrets, and a second import changes nothing', async () => {
    const partner = await partyKey('cli-partner');
    await source.admin('POST', '/admin/trusted-issuers', {
      issuer: 'https://partner.example',
      jwks: { keys: [partner.publicJwk] },
      allowed_scopes: ['orders:read'],
    });
    await source.createClient({
      client_id: 'spa',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['https://spa.example/callback'],
      scope: 'openid profile',
    });
    const file = join(directory, 'configuration.json');

    const exported = await cli(source.db, ['config:export', '--out', file]);
    expect(exported.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const document = JSON.parse(readFileSync(file, 'utf8'));
    expect(document).toMatchObject({ kind: 'identity-service/configuration', version: 1 });
    expect(JSON.stringify(document)).not.toMatch(/secret"\s*:/);
    expect(document.trusted_issuers).toEqual([
      {
        issuer: 'https://partner.example',
        jwks: { keys: [partner.publicJwk] },
        allowed_scopes: ['orders:read'],
      },
    ]);

    const imported = await cli(target, ['config:import', '--file', file]);
    expect(imported.code).toBe(0);
    const created = imported.json.clients.created as {
      client_id: string;
      client_secret?: string;
    }[];
    expect(created.map((client) => client.client_id).sort()).toEqual(
      document.clients.map((client: { client_id: string }) => client.client_id).sort(),
    );
    expect(created.find((client) => client.client_id === 'spa')?.client_secret).toBeUndefined();
    expect(imported.json.trusted_issuers).toEqual({
      created: ['https://partner.example'],
      updated: [],
      unchanged: [],
    });

    // The target's configuration is now the source's (its clients and issuers, field for field).
    const reexported = await cli(target, ['config:export']);
    expect(reexported.json.clients).toEqual(document.clients);
    expect(reexported.json.trusted_issuers).toEqual(document.trusted_issuers);

    // A second import: every client replaced with the same metadata, the issuer unchanged, no secret shown.
    const again = await cli(target, ['config:import', '--file', file]);
    expect(again.json.clients.created).toEqual([]);
    expect(again.json.trusted_issuers.unchanged).toEqual(['https://partner.example']);

    // The imported confidential client works on a service started on the target with its new secret.
    const service = await startTestApp({ db: target });
    try {
      const cliMade = created.find((client) => client.client_id === 'cli-made')!;
      const token = await service.postForm(
        '/token',
        { grant_type: 'client_credentials' },
        { basic: ['cli-made', cliMade.client_secret!] },
      );
      expect(token.status).toBe(200);
    } finally {
      await service.close({ dropDatabase: false });
    }
  });

  it('when an imported document has invalid parts then nothing is written and every invalid field is named by its pointer', async () => {
    const document = {
      kind: 'identity-service/configuration',
      version: 1,
      clients: [
        { client_id: 'fine', grant_types: ['client_credentials'] },
        { grant_types: ['client_credentials'] },
        { client_id: 'bad-uri', redirect_uris: ['not a uri'] },
        { client_id: 'fine', grant_types: ['client_credentials'] },
      ],
      trusted_issuers: [{ issuer: 'https://x.example' }, 'nonsense'],
    };
    const result = await withoutWrites(target, () =>
      cli(target, ['config:import', '--file', '-'], JSON.stringify(document)),
    );
    expect(result.code).toBe(1);
    const pointers = (JSON.parse(result.stderr).errors as { pointer: string }[]).map(
      (error) => error.pointer,
    );
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/clients/1/client_id',
        expect.stringMatching(/^\/clients\/2\/redirect_uris/),
        '/clients/3/client_id',
        '/trusted_issuers/0/jwks',
        '/trusted_issuers/1',
      ]),
    );
    expect(pointers.some((pointer) => pointer.startsWith('/clients/0'))).toBe(false);

    const wrongKind = await cli(target, ['config:import', '--file', '-'], '{"clients":[]}');
    expect(wrongKind.code).toBe(1);
    expect(JSON.parse(wrongKind.stderr).detail).toBe(
      'not a configuration document: kind must be "identity-service/configuration"',
    );
  });

  it('when the command or its options are wrong then it exits 2 with the usage, and with no command it prints the usage', async () => {
    // Independent processes, none of which writes: side by side.
    const [unknown, badOption, badAlg, noFile, notJson, help] = await Promise.all([
      cli(target, ['clients:destroy']),
      cli(target, ['keys:rotate', '--everything']),
      cli(target, ['keys:rotate', '--alg', 'none']),
      cli(target, ['config:import']),
      cli(target, ['config:import', '--file', '-'], '{oops'),
      cli(target, []),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "clients:destroy"');
    expect(unknown.stderr).toContain('config:import --file F|-');

    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--everything'");

    expect(badAlg.code).toBe(2);
    expect(badAlg.stderr).toBe('--alg must be one of ES256, RS256, PS256, EdDSA\n');

    expect(noFile).toMatchObject({
      code: 2,
      stderr: '--file is required (a path, or - for stdin)\n',
    });

    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^- is not JSON: /);

    expect(help.code).toBe(0);
    expect(help.stderr).toContain('usage: npm run -s cli -- <command>');
  });

  it('when the environment has a bad value then it exits 1 with one line naming the variable', async () => {
    const result = await cli(target, ['migrate'], undefined, { DATABASE_URL: 'mysql://nope' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('DATABASE_URL');
  });
});
