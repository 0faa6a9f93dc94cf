import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource, type Repository } from 'typeorm';
import type { SqliteConnection } from '../database/sqlite-turn-transaction.js';
import type { KeyRotationPlan } from './key-rotation-plan.js';
import { SigningKeyEntity, type SigningKeyState } from './signing-key.entity.js';
import { SqliteKeyRotation } from './sqlite-key-rotation.js';

interface Harness {
  readonly keys: Repository<SigningKeyEntity>;
  readonly rotation: SqliteKeyRotation;
  readonly close: () => Promise<void>;
}

/** A real SQLite file behind TypeORM, as the service has it, and the rotation on its one connection. */
async function harness(): Promise<Harness> {
  const directory = mkdtempSync(path.join(tmpdir(), 'key-rotation-'));
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: path.join(directory, 'keys.sqlite'),
    entities: [SigningKeyEntity],
    synchronize: true,
  });
  await dataSource.initialize();
  const connection = (dataSource.driver as unknown as { databaseConnection: SqliteConnection })
    .databaseConnection;
  return {
    keys: dataSource.getRepository(SigningKeyEntity),
    rotation: new SqliteKeyRotation(connection),
    close: async () => {
      await dataSource.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function key(
  kid: string,
  state: SigningKeyState,
  times: Partial<Pick<SigningKeyEntity, 'activatedAt' | 'retiredAt' | 'retainUntil'>> = {},
): SigningKeyEntity {
  return Object.assign(new SigningKeyEntity(), {
    kid,
    alg: 'ES256',
    state,
    publicJwk: { kty: 'EC', crv: 'P-256', x: `x-${kid}`, y: `y-${kid}`, kid },
    encryptedPrivateKey: `sealed-${kid}`,
    createdAt: 100,
    activatedAt: null,
    retiredAt: null,
    retainUntil: null,
    ...times,
  });
}

const plan = (fresh: SigningKeyEntity, extra: Partial<KeyRotationPlan> = {}): KeyRotationPlan => ({
  algs: ['ES256'],
  fresh: [fresh],
  now: 1_000,
  retainUntil: 5_000,
  activatedBefore: undefined,
  ...extra,
});

const byKid = async (keys: Repository<SigningKeyEntity>) =>
  Object.fromEntries((await keys.find()).map((row) => [row.kid, row]));

describe('SqliteKeyRotation (one synchronous transaction on the shared connection)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
    await h.keys.insert([
      key('current-1', 'current', { activatedAt: 100 }),
      key('next-1', 'next'),
      key('retired-expired', 'retired', { activatedAt: 10, retiredAt: 50, retainUntil: 900 }),
      key('retired-kept', 'retired', { activatedAt: 20, retiredAt: 60, retainUntil: 2_000 }),
    ]);
  });
  afterEach(() => h.close());

  it('when a chain rotates then next signs, current retires until retainUntil, a fresh next is stored and expired retired keys leave', async () => {
    expect(await h.rotation.run(plan(key('next-2', 'next', { activatedAt: null })))).toEqual([
      'ES256',
    ]);

    const rows = await byKid(h.keys);
    expect(Object.keys(rows).sort()).toEqual(['current-1', 'next-1', 'next-2', 'retired-kept']);
    expect(rows['current-1']).toMatchObject({
      state: 'retired',
      retiredAt: 1_000,
      retainUntil: 5_000,
    });
    expect(rows['next-1']).toMatchObject({ state: 'current', activatedAt: 1_000 });
    // Read back through TypeORM as the service reads it: the JWK as an object, times as numbers.
    expect(rows['next-2']).toMatchObject({
      state: 'next',
      publicJwk: { kty: 'EC', kid: 'next-2', x: 'x-next-2' },
      encryptedPrivateKey: 'sealed-next-2',
      createdAt: 100,
      activatedAt: null,
    });
  });

  it('when a scheduled rotation finds the current key newer than its cut-off (another instance rotated) then the chain is left as it is', async () => {
    const rotated = await h.rotation.run(
      plan(key('next-2', 'next'), { activatedBefore: 100 /* current-1 activated at 100 */ }),
    );

    expect(rotated).toEqual([]);
    const rows = await byKid(h.keys);
    expect(rows['current-1']?.state).toBe('current');
    expect(rows['next-1']?.state).toBe('next');
    expect(rows['next-2']).toBeUndefined();
  });

  it('when two rotations share a turn and the first fails then only it is undone and the second rotates the chain', async () => {
    // Both land in one per-turn transaction; the first's insert fails after its retire and promote.
    const failing = h.rotation.run(plan(key('retired-kept', 'next')));
    const succeeding = h.rotation.run(plan(key('next-2', 'next')));

    await expect(failing).rejects.toThrow(/UNIQUE|constraint/i);
    expect(await succeeding).toEqual(['ES256']);
    const rows = await byKid(h.keys);
    // The second saw the chain as it was before the first: current-1 retired once, next-1 promoted.
    expect(rows['current-1']).toMatchObject({ state: 'retired', retainUntil: 5_000 });
    expect(rows['next-1']).toMatchObject({ state: 'current', activatedAt: 1_000 });
    expect(rows['next-2']?.state).toBe('next');
    expect(rows['retired-kept']).toMatchObject({ state: 'retired', retainUntil: 2_000 });
  });

  it('when a rotation fails half-way then none of it stands, and a write another request made beside it does', async () => {
    const before = await byKid(h.keys);
    // The fresh key's kid is taken: the insert, after the retire and promote, fails.
    const failing = h.rotation.run(plan(key('retired-kept', 'next')));
    const beside = h.keys.insert(key('written-beside', 'retired', { retainUntil: 9_000 }));

    await expect(failing).rejects.toThrow(/UNIQUE|constraint/i);
    await beside;
    const after = await byKid(h.keys);
    expect(after['written-beside']).toMatchObject({ state: 'retired', retainUntil: 9_000 });
    delete after['written-beside'];
    expect(after).toEqual(before);
  });
});
