import {
  type SqliteConnection,
  SqliteTurnTransaction,
} from '../database/sqlite-turn-transaction.js';
import type { KeyRotationPlan } from './key-rotation-plan.js';
import type { SigningAlgorithm } from './signing-algorithm.js';

const RETIRE = `UPDATE signing_key SET state = 'retired', retired_at = ?, retain_until = ?
  WHERE alg = ? AND state = 'current'`;
const PROMOTE = `UPDATE signing_key SET state = 'current', activated_at = ? WHERE alg = ? AND state = 'next'`;
const INSERT = `INSERT INTO signing_key
  (kid, alg, state, public_jwk, encrypted_private_key, created_at, activated_at, retired_at, retain_until)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const PURGE = `DELETE FROM signing_key WHERE state = 'retired' AND retain_until <= ?`;

/**
 * A key rotation on SQLite: its statements run synchronously, in one
 * transaction (a savepoint inside the turn's transaction), so that nothing
 * else can run between them. A TypeORM transaction on SQLite's one
 * connection stays open across its awaits and takes in every statement
 * other requests make meanwhile; when it rolled back (a failed rotation),
 * their writes, already answered, were undone with it.
 */
export class SqliteKeyRotation {
  private readonly rotations: SqliteTurnTransaction<KeyRotationPlan, SigningAlgorithm[]>;

  constructor(connection: SqliteConnection) {
    const retire = connection.prepare(RETIRE);
    const retireIfDue = connection.prepare(`${RETIRE} AND activated_at < ?`);
    const promote = connection.prepare(PROMOTE);
    const insert = connection.prepare(INSERT);
    const purge = connection.prepare(PURGE);
    // Nested in the turn's transaction, better-sqlite3 makes this a savepoint:
    // a rotation that fails is undone whole, and alone.
    const rotate = connection.transaction((plan: KeyRotationPlan) => {
      const rotated: SigningAlgorithm[] = [];
      plan.algs.forEach((alg, index) => {
        const retired =
          plan.activatedBefore === undefined
            ? retire.run(plan.now, plan.retainUntil, alg)
            : retireIfDue.run(plan.now, plan.retainUntil, alg, plan.activatedBefore);
        // A scheduled rotation that another instance has already done.
        if (plan.activatedBefore !== undefined && retired.changes === 0) return;
        promote.run(plan.now, alg);
        const key = plan.fresh[index]!;
        insert.run(
          key.kid,
          key.alg,
          key.state,
          JSON.stringify(key.publicJwk),
          key.encryptedPrivateKey,
          key.createdAt,
          key.activatedAt,
          key.retiredAt,
          key.retainUntil,
        );
        rotated.push(alg);
      });
      // Retired keys whose tokens have all expired leave for good.
      purge.run(plan.now);
      return rotated;
    });
    this.rotations = new SqliteTurnTransaction(connection, rotate);
  }

  /** The chains rotated. */
  run(plan: KeyRotationPlan): Promise<SigningAlgorithm[]> {
    return this.rotations.run(plan);
  }
}
