import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import type { JWK } from 'jose';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { LessThan, LessThanOrEqual, Repository } from 'typeorm';
import { InvalidEnvironmentError } from '../config/environment.js';
import { databaseConfig } from '../config/database.config.js';
import { keysConfig } from '../config/keys.config.js';
import { InvalidationBus } from '../shared-state/invalidation-bus.js';
import { KeyEncryption } from './key-encryption.js';
import type { KeyRotationPlan } from './key-rotation-plan.js';
import { resolveKeyEncryptionSecret } from './key-encryption-secret.js';
import { generateSigningKeyPair } from './key-pair.factory.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './signing-algorithm.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { SqliteKeyRotation } from './sqlite-key-rotation.js';
import { driverHandle } from '../database/driver-handles.js';

/**
 * How long a retired key stays in the JWKS: the longest lifetime of anything
 * it signed (access tokens live at most 24 h) plus clock skew.
 */
export const RETIRED_KEY_RETENTION_MS = (24 * 3600 + 300) * 1000;

/**
 * Loaded keys are read again after this long, should an invalidation from
 * another instance's rotation have been lost (Redis down).
 */
const RELOAD_AFTER_MS = 60_000;
/** A kid this instance does not know reads the keys again, at most this often. */
const UNKNOWN_KID_RELOAD_COOLDOWN_MS = 5_000;

/** HKDF info of the key that encrypts client secrets, apart from the signing keys' one. */
const CLIENT_SECRET_ENCRYPTION_INFO = 'identity-service client secret encryption';

export interface ActiveSigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
}

/**
 * Signing keys, one chain per algorithm: a `current` key signs, a `next` key
 * is already published so that caches of the JWKS know it before it signs,
 * and `retired` keys stay published until what they signed has expired.
 *
 * With several instances the keys are read from the database: a rotation on
 * one is announced on the `keys` channel and every other instance reloads,
 * so it signs with the promoted key (which it already published as `next`)
 * and publishes the new `next`. Lost announcements are caught by a reload
 * after RELOAD_AFTER_MS, or sooner when a token names an unknown kid.
 */
@Injectable()
export class KeysService implements OnModuleInit {
  private readonly logger = new Logger('Keys');
  private encryption: KeyEncryption;
  /** For client secrets that must be recoverable (client_secret_jwt); a key of its own. */
  private secretEncryption: KeyEncryption;
  private signing = new Map<SigningAlgorithm, ActiveSigningKey>();
  private verification = new Map<string, { alg: SigningAlgorithm; key: KeyObject }>();
  private publishedJwks: { keys: JWK[] } = { keys: [] };
  private loadedAt = 0;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private unknownKidReloadAt = 0;
  /** On SQLite, rotations run as one synchronous transaction (see SqliteKeyRotation). */
  private readonly sqliteRotation: SqliteKeyRotation | undefined;

  constructor(
    @InjectRepository(SigningKeyEntity) private readonly repository: Repository<SigningKeyEntity>,
    @Inject(keysConfig.KEY) private readonly keys: ConfigType<typeof keysConfig>,
    @Inject(databaseConfig.KEY) private readonly database: ConfigType<typeof databaseConfig>,
    private readonly bus: InvalidationBus,
  ) {
    const handle = driverHandle(repository.manager.connection);
    this.sqliteRotation =
      handle.kind === 'sqlite' ? new SqliteKeyRotation(handle.connection) : undefined;
  }

  async onModuleInit(): Promise<void> {
    const secret = resolveKeyEncryptionSecret(this.keys, this.database);
    this.encryption = new KeyEncryption(secret);
    this.secretEncryption = new KeyEncryption(secret, CLIENT_SECRET_ENCRYPTION_INFO);
    await this.ensureKeyChains();
    await this.reload();
    // Another instance rotated keys.
    this.bus.subscribe('keys', () => void this.refresh(true));
  }

  /** The key that signs for an algorithm now. */
  signingKey(alg: SigningAlgorithm): ActiveSigningKey {
    this.refreshIfStale();
    const key = this.signing.get(alg);
    if (key === undefined) throw new Error(`no current signing key for ${alg}`);
    return key;
  }

  /** A published public key by kid, for verifying what this service signed. */
  verificationKey(kid: string): { alg: SigningAlgorithm; key: KeyObject } | undefined {
    this.refreshIfStale();
    const found = this.verification.get(kid);
    if (
      found === undefined &&
      Date.now() - this.unknownKidReloadAt > UNKNOWN_KID_RELOAD_COOLDOWN_MS
    ) {
      // Perhaps signed by another instance after a rotation this one has not heard of.
      this.unknownKidReloadAt = Date.now();
      void this.refresh(false);
    }
    return found;
  }

  /**
   * Encrypts a client secret the service must read back (client_secret_jwt
   * verifies HMACs with it) with KEY_ENCRYPTION_SECRET, AES-256-GCM.
   */
  sealSecret(secret: string): string {
    return this.secretEncryption.encrypt(secret);
  }

  /** The secret sealSecret encrypted; throws when it was altered or the secret changed. */
  openSecret(sealed: string): string {
    return this.secretEncryption.decrypt(sealed);
  }

  /** The JWK Set to publish (RFC 7517 §5): current, next and still-needed retired keys. */
  jwks(): { keys: JWK[] } {
    this.refreshIfStale();
    return this.publishedJwks;
  }

  list(): Promise<SigningKeyEntity[]> {
    return this.repository.find({ order: { alg: 'ASC', createdAt: 'ASC' } });
  }

  /**
   * Rotates one algorithm's chain, or every chain: next becomes current,
   * current retires (published for RETIRED_KEY_RETENTION_MS more), and a
   * fresh next key is published.
   */
  async rotate(algs: readonly SigningAlgorithm[] = SIGNING_ALGORITHMS): Promise<void> {
    await this.rotateChains(algs, undefined);
  }

  /**
   * Scheduled rotation: the chains whose current key has signed since
   * before `activatedBefore`. Instances may run it at the same moment;
   * the conditional retirement lets one of them rotate each chain.
   */
  async rotateDue(activatedBefore: number): Promise<SigningAlgorithm[]> {
    const due = (await this.repository.findBy({ state: 'current' }))
      .filter((key) => key.activatedAt !== null && key.activatedAt < activatedBefore)
      .map((key) => key.alg);
    return due.length === 0 ? [] : this.rotateChains(due, activatedBefore);
  }

  private async rotateChains(
    algs: readonly SigningAlgorithm[],
    activatedBefore: number | undefined,
  ): Promise<SigningAlgorithm[]> {
    const now = Date.now();
    const plan: KeyRotationPlan = {
      algs,
      fresh: await Promise.all(algs.map((alg) => this.newKeyEntity(alg, 'next', now))),
      now,
      retainUntil: now + RETIRED_KEY_RETENTION_MS,
      activatedBefore,
    };
    const rotated =
      this.sqliteRotation === undefined
        ? await this.rotateInTransaction(plan)
        : await this.sqliteRotation.run(plan);
    await this.refresh(true);
    if (rotated.length > 0) {
      await this.bus.publish('keys');
      this.logger.log(`rotated signing keys: ${rotated.join(', ')}`);
    }
    return rotated;
  }

  /** PostgreSQL: a transaction on a pooled connection of its own. SQLite: see SqliteKeyRotation. */
  private async rotateInTransaction(plan: KeyRotationPlan): Promise<SigningAlgorithm[]> {
    const { now, activatedBefore } = plan;
    const rotated: SigningAlgorithm[] = [];
    await this.repository.manager.transaction(async (manager) => {
      const keys = manager.getRepository(SigningKeyEntity);
      for (const [index, alg] of plan.algs.entries()) {
        const retired = await keys.update(
          activatedBefore === undefined
            ? { alg, state: 'current' }
            : { alg, state: 'current', activatedAt: LessThan(activatedBefore) },
          { state: 'retired', retiredAt: now, retainUntil: plan.retainUntil },
        );
        // A scheduled rotation that another instance has already done.
        if (activatedBefore !== undefined && !retired.affected) continue;
        await keys.update({ alg, state: 'next' }, { state: 'current', activatedAt: now });
        await keys.insert(plan.fresh[index]!);
        rotated.push(alg);
      }
      // Retired keys whose tokens have all expired leave for good.
      await keys.delete({ state: 'retired', retainUntil: LessThanOrEqual(now) });
    });
    return rotated;
  }

  /** On first start (or after a new algorithm is added): a current and a next key per algorithm. */
  private async ensureKeyChains(): Promise<void> {
    const existing = await this.repository.find();
    const now = Date.now();
    const missing: Promise<SigningKeyEntity>[] = [];
    for (const alg of SIGNING_ALGORITHMS) {
      const states = new Set(existing.filter((key) => key.alg === alg).map((key) => key.state));
      if (!states.has('current')) missing.push(this.newKeyEntity(alg, 'current', now));
      if (!states.has('next')) missing.push(this.newKeyEntity(alg, 'next', now));
    }
    if (missing.length === 0) return;
    await this.repository.insert(await Promise.all(missing));
    this.logger.log(`created ${missing.length} signing keys`);
  }

  private async newKeyEntity(
    alg: SigningAlgorithm,
    state: 'current' | 'next',
    now: number,
  ): Promise<SigningKeyEntity> {
    const pair = await generateSigningKeyPair(alg);
    const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    return this.repository.create({
      kid: pair.kid,
      alg,
      state,
      publicJwk: pair.publicJwk,
      encryptedPrivateKey: this.encryption.encrypt(pem),
      createdAt: now,
      activatedAt: state === 'current' ? now : null,
      retiredAt: null,
      retainUntil: null,
    });
  }

  private refreshIfStale(): void {
    if (this.reloading === undefined && Date.now() - this.loadedAt > RELOAD_AFTER_MS) {
      void this.refresh(false);
    }
  }

  /**
   * Reads the keys again; never rejects (a failure is logged and the keys
   * in use stay). Concurrent calls share one read; a `changed` call during a
   * read (the database may have changed after it began) reads once more.
   */
  private refresh(changed: boolean): Promise<void> {
    if (this.reloading !== undefined) {
      if (changed) this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          await this.reload();
        } while (this.reloadAgain);
      } catch (error) {
        this.loadedAt = Date.now();
        this.logger.error(
          `could not reload signing keys: ${error instanceof Error ? error.message : String(error)}`,
        );
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private async reload(): Promise<void> {
    const now = Date.now();
    const decrypted = new Map([...this.signing.values()].map((key) => [key.kid, key.privateKey]));
    const entities = (await this.repository.find({ order: { createdAt: 'ASC' } })).filter(
      (key) => key.state !== 'retired' || (key.retainUntil ?? 0) > now,
    );
    const signing = new Map<SigningAlgorithm, ActiveSigningKey>();
    const verification = new Map<string, { alg: SigningAlgorithm; key: KeyObject }>();
    for (const entity of entities) {
      verification.set(entity.kid, {
        alg: entity.alg,
        key: createPublicKey({ key: entity.publicJwk, format: 'jwk' }),
      });
      if (entity.state === 'current') {
        signing.set(entity.alg, {
          kid: entity.kid,
          alg: entity.alg,
          privateKey: decrypted.get(entity.kid) ?? this.decrypt(entity),
        });
      }
    }
    this.signing = signing;
    this.verification = verification;
    this.publishedJwks = { keys: entities.map((entity) => entity.publicJwk) };
    this.loadedAt = now;
  }

  private decrypt(entity: SigningKeyEntity): KeyObject {
    try {
      return createPrivateKey(this.encryption.decrypt(entity.encryptedPrivateKey));
    } catch {
      throw new InvalidEnvironmentError(
        'KEY_ENCRYPTION_SECRET',
        'cannot decrypt the stored signing keys: it differs from the secret they were encrypted with',
      );
    }
  }
}
