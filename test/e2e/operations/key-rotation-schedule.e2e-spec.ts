import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { KeysService } from '../../../src/keys/keys.service.js';
import { startTestApp, type RegisteredClient, type TestApp } from '../../support/test-app.js';
import { createTestDatabase } from '../../support/test-database.js';

interface KeyRow {
  kid: string;
  alg: string;
  state: 'current' | 'next' | 'retired';
}

const keyRows = (service: TestApp) =>
  service.db.query<KeyRow>('SELECT kid, alg, state FROM signing_key ORDER BY kid');

/** One current and one next key per algorithm: what no rotation, however concurrent, may break. */
function expectWholeChains(rows: KeyRow[]): void {
  for (const alg of ['ES256', 'RS256', 'PS256', 'EdDSA']) {
    const chain = rows.filter((row) => row.alg === alg);
    expect(
      chain.filter((row) => row.state === 'current'),
      alg,
    ).toHaveLength(1);
    expect(
      chain.filter((row) => row.state === 'next'),
      alg,
    ).toHaveLength(1);
  }
}

async function accessToken(service: TestApp, client: RegisteredClient): Promise<string> {
  const result = await service.postForm(
    '/token',
    { grant_type: 'client_credentials' },
    { basic: [client.client_id, client.client_secret!] },
  );
  expect(result.status).toBe(200);
  return result.body.access_token as string;
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid!;

describe('scheduled key rotation (KEY_ROTATION_PERIOD)', () => {
  afterAll(() => {
    delete process.env.KEY_ROTATION_PERIOD;
  });

  it('when the period has passed then the published next key starts signing, and tokens of the retired key stay valid', async () => {
    // An empty database: a copied one's keys would be overdue at once.
    const service = await startTestApp({
      db: await createTestDatabase(),
      env: { KEY_ROTATION_PERIOD: '2s' },
    });
    try {
      const client = await service.createClient({ grant_types: ['client_credentials'] });
      const before = await keyRows(service);
      const current = before.find((row) => row.alg === 'ES256' && row.state === 'current')!.kid;
      const next = before.find((row) => row.alg === 'ES256' && row.state === 'next')!.kid;
      const early = await accessToken(service, client);
      expect(kidOf(early)).toBe(current);
      // The key that is about to sign is already in the JWKS.
      const published = await service.request('GET', '/jwks');
      expect(published.body.keys.map((key: { kid: string }) => key.kid)).toContain(next);

      let late = early;
      for (let attempt = 0; attempt < 40 && kidOf(late) === current; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        late = await accessToken(service, client);
      }
      expect(kidOf(late)).toBe(next);

      const after = await keyRows(service);
      expectWholeChains(after);
      expect(after.find((row) => row.kid === current)?.state).toBe('retired');
      const jwks = createLocalJWKSet((await service.request('GET', '/jwks')).body);
      await expect(jwtVerify(early, jwks)).resolves.toBeDefined();
      await expect(jwtVerify(late, jwks)).resolves.toBeDefined();
      const introspected = await service.postForm(
        '/introspect',
        { token: early },
        { basic: [client.client_id, client.client_secret!] },
      );
      expect(introspected.body).toMatchObject({ active: true });
    } finally {
      await service.close();
    }
  });

  it('when two instances find rotation due at the same moment then each chain rotates once (at the same time on PostgreSQL)', async () => {
    const a = await startTestApp({ env: { KEY_ROTATION_PERIOD: 'off' } });
    const b = await startTestApp({ db: a.db, env: { KEY_ROTATION_PERIOD: 'off' } });
    try {
      const before = await keyRows(a);
      const cutoff = Date.now();
      // Several instances need PostgreSQL; there they race. On SQLite (one instance, or the
      // CLI beside it) the second finds the rotation done: its writes wait for the first's.
      const [rotatedByA, rotatedByB] =
        a.db.kind === 'postgres'
          ? await Promise.all([
              a.app.get(KeysService).rotateDue(cutoff),
              b.app.get(KeysService).rotateDue(cutoff),
            ])
          : [
              await a.app.get(KeysService).rotateDue(cutoff),
              await b.app.get(KeysService).rotateDue(cutoff),
            ];
      expect([...rotatedByA, ...rotatedByB].sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
      const after = await keyRows(a);
      expectWholeChains(after);
      // Four new keys in all (one per chain), four retired: never a key skipped straight to signing.
      expect(after).toHaveLength(before.length + 4);
      expect(after.filter((row) => row.state === 'retired')).toHaveLength(4);
      for (const row of before.filter((key) => key.state === 'next')) {
        expect(after.find((key) => key.kid === row.kid)?.state).toBe('current');
      }
    } finally {
      await b.close({ dropDatabase: false });
      await a.close();
    }
  });
});
